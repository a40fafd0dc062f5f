module.exports = { ...require('../../jest.preset.cjs'), displayName: 'eval-data' };
