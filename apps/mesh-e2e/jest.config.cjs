module.exports = { ...require('../../jest.preset.cjs'), displayName: 'mesh-e2e', testTimeout: 60000 };
