import { Field, ObjectType, registerEnumType } from 'type-graphql';

/** The two file formats a record list is written in; the link's path ends with the lower-case name. */
export enum ReportFormat {
  XLSX = 'XLSX',
  CSV = 'CSV',
}

registerEnumType(ReportFormat, {
  name: 'ReportFormat',
  description: 'A file format: XLSX (Excel, WPS, LibreOffice) or CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese).',
});

/** The file extension of a format, as the download's path and file name end. */
export type FileExtension = 'xlsx' | 'csv';

export function extensionOf(format: ReportFormat): FileExtension {
  return format === ReportFormat.XLSX ? 'xlsx' : 'csv';
}

@ObjectType({
  description:
    'Where to download a record list: a link a browser opens as it is (signed in to the IDE, or with the same Authorization header), for this caller only, until expiresAt.',
})
export class RecordListDownload {
  @Field(() => String, { description: 'The file name with its extension, e.g. 平山区-超期未走访户-2026-12-01.xlsx: region, list, day.' })
  fileName!: string;

  @Field(() => String, {
    description:
      "Absolute URL of the file, with a ticket bound to this caller, sign-in, list, format and filters; useless to anyone else. The rows are read at download, within the caller's scope.",
  })
  url!: string;

  @Field(() => Date, { description: 'When the link stops working (10 minutes after the export): run exportRecordList again for a new one.' })
  expiresAt!: Date;
}
