import { photoPolicy } from '../../src/modules/photos/photo.policy';
import { cadre, cityAdmin, cityAnalyst, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Photos of help records: uploaded by cadres, read by the uploader and through readable records. Pure.

describe('photoPolicy.mayUpload', () => {
  it('lets only cadres upload', () => {
    expect(photoPolicy.mayUpload(cadre)).toBe(true);
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, unscopedAdmin]) expect(photoPolicy.mayUpload(actor)).toBe(false);
  });
});

describe('photoPolicy.mayRead', () => {
  it('lets the uploader read their own photo whether or not a record shows it', () => {
    expect(photoPolicy.mayRead(cadre, { uploadedBy: cadre.accountId, shownOnReadableRecord: false })).toBe(true);
    expect(photoPolicy.mayRead(cadre, { uploadedBy: cadre.accountId, shownOnReadableRecord: true })).toBe(true);
  });

  it("lets anyone else read it only through a record they may read", () => {
    for (const actor of [cadre, cityAdmin, districtAdmin, cityAnalyst, districtAnalyst]) {
      const someoneElse = actor.accountId + 100;
      expect(photoPolicy.mayRead(actor, { uploadedBy: someoneElse, shownOnReadableRecord: false })).toBe(false);
      expect(photoPolicy.mayRead(actor, { uploadedBy: someoneElse, shownOnReadableRecord: true })).toBe(true);
    }
  });
});
