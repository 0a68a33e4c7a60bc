import sharp from 'sharp';
import type { GraphQLBody } from './server';

/** The cadres' operations and sample photos the cadre API tests send. */

export const DAY = 86_400_000;
export const MY_HOUSEHOLDS = `query ($first: Int, $after: String, $filter: MyHouseholdFilter) {
  myHouseholds(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id headName address regionName targetGroups daysSinceLastVisit visitIntervalDays visitOverdue openDemandCount }
  }
}`;
export const SUBMIT =
  'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id clientId versionNumber isLatest fundsFen demandsRaised { id status } } }';

export const CORRECT_RECORD = 'mutation ($id: ID!, $input: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $input) { id } }';

export function errorOf(body: GraphQLBody<unknown>): Record<string, unknown> | undefined {
  return body.errors?.[0]?.extensions;
}

/** A JPEG header and a few bytes: enough for type sniffing (the size limit is checked before decoding). */
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF-wanjia-test-photo')]);

/** A real photo: the server decodes and re-encodes what it stores. */
export function solidJpeg(colour: string): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();
}
