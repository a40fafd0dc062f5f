module.exports = { ...require('../../jest.preset.cjs'), displayName: 'docs-check' };
