import { spawn } from 'node:child_process';
import mysql from 'mysql2/promise';
import { RegionLevel } from '@wanjia/shared';
import * as tables from '@wanjia/server/dist/seed/city/city-tables';
import { Sink, TableWriter } from '@wanjia/server/dist/seed/city/sink';
import { sqlDatetime } from '@wanjia/server/dist/seed/city/sql-time';
import { placeNameAndCode, writeBenxiTree } from '@wanjia/server/dist/seed/city/stage-regions-and-units';
import { ensureServerBuilt, SERVER_CLI } from '../bench/city-data';
import type { MysqlTarget } from '../bench/common';
import { REPOSITORY_ROOT } from '../bench/settings';

/**
 * The world an import lands in: the city generator's region tree of Benxi (server/src/seed/city) with
 * PLACES villages and communities in ONE district, and that district's administrator, who imports. The
 * schema comes from the server's own migrations, so the benchmark's tables are production's.
 */

export const IMPORTER = { username: 'bench-importer', password: 'bench-import-password-1' } as const;
/** Villages and communities of the district the file's households live in (the rows name them by code). */
const PLACES = 200;
const CREATED = sqlDatetime(Date.parse('2026-04-20T01:00:00Z'));

export interface BenchPlace {
  code: string;
  name: string;
  level: RegionLevel.VILLAGE | RegionLevel.COMMUNITY;
  townshipName: string;
  countyCode: string;
}

export interface World {
  districtCode: string;
  places: BenchPlace[];
}

/** Drops and recreates the database (its name contains "bench": see benchDatabase), migrates it and writes the world. */
export async function freshWorld(target: MysqlTarget): Promise<World> {
  const admin = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password });
  try {
    await admin.query(`drop database if exists \`${target.database}\``);
    await admin.query(`create database \`${target.database}\` character set utf8mb4`);
  } finally {
    await admin.end();
  }
  await ensureServerBuilt();
  await runCli(['migrate'], target);

  const sink = await Sink.open({ host: target.host, port: target.port, user: target.user, password: target.password, database: target.database }, 1);
  let world: World;
  try {
    const regions = new TableWriter(sink, tables.REGION_TABLE);
    const tree = writeBenxiTree(regions, CREATED);
    const district = tree.counties[0]!;
    const townships = tree.townships.filter((township) => township.countyIndex === 0);
    let regionId = tree.nextRegionId - 1;
    const places: BenchPlace[] = [];
    for (let index = 0; index < PLACES; index += 1) {
      const township = townships[index % townships.length]!;
      const ordinal = Math.floor(index / townships.length);
      const level = township.level === RegionLevel.STREET || ordinal % 4 === 0 ? RegionLevel.COMMUNITY : RegionLevel.VILLAGE;
      const { name, code } = placeNameAndCode(township, level, ordinal);
      regions.add({
        id: ++regionId,
        code,
        name,
        level,
        parentId: township.id,
        path: `${township.path}${code}/`,
        depth: 3,
        createdAt: CREATED,
        updatedAt: CREATED,
      });
      places.push({ code, name, level, townshipName: township.name, countyCode: district.code.slice(0, 6) });
    }
    regions.flush();
    world = { districtCode: district.code, places };
  } finally {
    await sink.close();
  }
  // The importer, made as an operator makes one (the CLI, its password hashed by the server's own code).
  await runCli(['account:create', IMPORTER.username, 'ADMIN', world.districtCode], target, { WANJIA_PASSWORD: IMPORTER.password });
  return world;
}

function runCli(args: string[], target: MysqlTarget, extra: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_CLI, ...args], {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: target.url, LOG_LEVEL: 'warn', DEMO_DATA: 'false', ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`server cli ${args[0]} failed (exit ${code}):\n${output}`))));
  });
}
