module.exports = { ...require('../../jest.preset.cjs'), displayName: 'ttft-limits' };
