import { myWorkPolicy } from '../../src/modules/my-work/my-work.policy';
import { cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// A cadre's own work list and figures. Pure: no database.

describe('myWorkPolicy.mayRead', () => {
  it('gives cadres a work list of their own, and nobody else', () => {
    expect(myWorkPolicy.mayRead(cadre)).toBe(true);
    expect(myWorkPolicy.mayRead({ ...cadre, cadreId: null })).toBe(false);
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, unscopedAdmin]) expect(myWorkPolicy.mayRead(actor)).toBe(false);
  });
});
