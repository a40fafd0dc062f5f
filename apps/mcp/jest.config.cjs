module.exports = { ...require('../../jest.preset.cjs'), displayName: 'mcp', testTimeout: 60000 };
