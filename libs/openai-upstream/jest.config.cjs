module.exports = { ...require('../../jest.preset.cjs'), displayName: 'openai-upstream' };
