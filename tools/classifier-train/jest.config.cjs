module.exports = { ...require('../../jest.preset.cjs'), displayName: 'classifier-train' };
