module.exports = { ...require('../../jest.preset.cjs'), displayName: 'price-catalog' };
