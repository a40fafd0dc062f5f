module.exports = { ...require('../../jest.preset.cjs'), displayName: 'web-e2e', testTimeout: 120000 };
