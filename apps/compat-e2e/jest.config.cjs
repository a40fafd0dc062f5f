module.exports = { ...require('../../jest.preset.cjs'), displayName: 'compat-e2e', testTimeout: 60000 };
