module.exports = { ...require('../../jest.preset.cjs'), displayName: 'chaos-e2e', testTimeout: 120000 };
