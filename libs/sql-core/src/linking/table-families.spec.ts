import { groupTableFamilies, shardOf } from './table-families.ts';

const t = (name: string, cols = ['A', 'B']) => ({ name, columns: cols.map((c) => ({ name: c, type: 'INT' })) });

describe('shardOf', () => {
  it.each([
    ['EVENTS_20201104', { stem: 'EVENTS', date: '20201104', grain: 8 }],
    ['GA_SESSIONS_201707', { stem: 'GA_SESSIONS', date: '20170701', grain: 6 }],
    ['SALES_2019', { stem: 'SALES', date: '20190101', grain: 4 }],
    ['LOGS_2024_03_01', { stem: 'LOGS', date: '20240301', grain: 8 }],
    ['EVENTS20201104', { stem: 'EVENTS', date: '20201104', grain: 8 }],
    ['TOP2000', null],
    ['ORDERS', null],
  ])('%s', (name, shard) => {
    expect(shardOf(name)).toEqual(shard);
  });
});

describe('groupTableFamilies', () => {
  it('groups shards of one shape and schema, oldest first; keeps the rest as single tables', () => {
    const units = groupTableFamilies([
      t('DB.S.EVENTS_20201108'), t('DB.S.EVENTS_20201104'), t('DB.S.ORDERS'),
      t('DB.OTHER.EVENTS_20201104'), t('DB.S.EVENTS_20201105', ['X']), t('DB.S.SALES_2019'),
    ]);
    expect(units.map((u) => [u.key, u.members.map((m) => m.name)])).toEqual([
      ['DB.S.EVENTS_*', ['DB.S.EVENTS_20201104', 'DB.S.EVENTS_20201108']],
      ['DB.S.ORDERS', ['DB.S.ORDERS']],
      ['DB.OTHER.EVENTS_20201104', ['DB.OTHER.EVENTS_20201104']],
      ['DB.S.EVENTS_20201105', ['DB.S.EVENTS_20201105']],
      ['DB.S.SALES_2019', ['DB.S.SALES_2019']],
    ]);
  });
});
