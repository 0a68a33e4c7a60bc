// Creates or drops a MySQL database for one CI run: node tests/scripts/scratch-database.mjs create|drop NAME
// Uses mysql2 from the workspace, so CI needs no mysql client binary.
import mysql from 'mysql2/promise';

const [action, name] = process.argv.slice(2);
if (!['create', 'drop'].includes(action) || !/^[A-Za-z0-9_]{1,64}$/.test(name ?? '')) {
  console.error('usage: scratch-database.mjs create|drop NAME');
  process.exit(2);
}
const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
try {
  await connection.query(action === 'create' ? `create database \`${name}\` character set utf8mb4` : `drop database if exists \`${name}\``);
} finally {
  await connection.end();
}
