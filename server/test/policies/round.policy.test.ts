import { roundPolicy } from '../../src/modules/rounds/round.policy';
import { cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Rounds: the campaign's city-wide calendar. Pure: no database.

describe('roundPolicy', () => {
  it.each([cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, cadre])('lets every signed-in caller read every round ($role of $scopePath)', (actor) => {
    expect(roundPolicy.scope(actor)).toEqual({});
  });

  it("lets only the city's administrators open a round", () => {
    expect(roundPolicy.mayCreate(cityAdmin)).toBe(true);
    for (const actor of [districtAdmin, cityAnalyst, districtAnalyst, cadre, unscopedAdmin]) expect(roundPolicy.mayCreate(actor)).toBe(false);
  });
});
