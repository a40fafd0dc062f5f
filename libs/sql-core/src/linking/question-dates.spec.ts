import { datesInQuestion } from './question-dates.ts';

describe('datesInQuestion', () => {
  it.each([
    ['visits on 2017-08-01', [{ from: '20170801', to: '20170801' }]],
    ['visits on August 1, 2017', [{ from: '20170801', to: '20170801' }]],
    ['visits on 1 Aug 2017', [{ from: '20170801', to: '20170801' }]],
    ['table GA_SESSIONS_20170801', []],
    ['sales in 20170801', [{ from: '20170801', to: '20170801' }]],
    ['sales in March 2022', [{ from: '20220301', to: '20220331' }]],
    ['sales in 2020', [{ from: '20200101', to: '20201231' }]],
    ['between 2017-07-30 and 2017-08-02', [{ from: '20170730', to: '20170802' }]],
    ['from July 30 to August 2, 2017', [{ from: '20170730', to: '20170802' }]],
    ['on 2017-02-30 (no such day: the month)', [{ from: '20170201', to: '20170228' }]],
    ['how many orders?', []],
  ])('%s', (q, spans) => {
    expect(datesInQuestion(q)).toEqual(spans);
  });
});
