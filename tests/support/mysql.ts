/**
 * The MySQL server (MariaDB) the fault and soak tests run against, chosen as the server suite chooses
 * it (server/test/support/global-setup.ts): TEST_DATABASE_URL when set (CI sets it to a scratch
 * database of the run), otherwise the local default root@127.0.0.1:3306. jest.config.js leaves these
 * tests out when neither answers outside CI, and the run says so. The scratch databases are the
 * server suite's own helper, so both suites name, create and drop them one way.
 */
export { LOCAL_DEFAULT_MYSQL_URL, createScratchDatabase, mysqlServer, type MysqlServer, type ScratchDatabase } from '../../server/test/support/mysql-server';
