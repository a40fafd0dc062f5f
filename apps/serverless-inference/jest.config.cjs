module.exports = { ...require('../../jest.preset.cjs'), displayName: 'serverless-inference' };
