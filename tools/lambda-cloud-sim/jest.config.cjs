module.exports = { ...require('../../jest.preset.cjs'), displayName: 'lambda-cloud-sim' };
