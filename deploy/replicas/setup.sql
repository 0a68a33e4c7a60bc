-- Read replicas (issue 17; docs/replicas.md): what tests/cluster/replica.test.ts runs, as an operator would.
-- Passwords are placeholders: choose your own.

-- 1. On the PRIMARY: the replication user, and the application's two users. Made on the primary, they
--    reach every replica by replication.
CREATE USER 'repl'@'%' IDENTIFIED BY 'change-me-repl';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
CREATE DATABASE IF NOT EXISTS wanjia CHARACTER SET utf8mb4;
-- DATABASE_URL: migrations need to create and alter tables.
CREATE USER 'wanjia'@'%' IDENTIFIED BY 'change-me-app';
GRANT ALL ON wanjia.* TO 'wanjia'@'%';
-- DATABASE_REPLICA_URLS: the analytics read a replica as this user, SELECT only.
CREATE USER 'wanjia_reader'@'%' IDENTIFIED BY 'change-me-reader';
GRANT SELECT ON wanjia.* TO 'wanjia_reader'@'%';

-- 2. On each REPLICA (as an administrator; a replica of an existing primary starts from a copy made
--    with mariadb-backup, whose xtrabackup_binlog_info gives the GTID: SET GLOBAL gtid_slave_pos = '…'):
-- CHANGE MASTER TO MASTER_HOST='primary.internal', MASTER_PORT=3306, MASTER_USER='repl',
--   MASTER_PASSWORD='change-me-repl', MASTER_USE_GTID=slave_pos;
-- START SLAVE;
-- SHOW SLAVE STATUS\G   -- Slave_IO_Running and Slave_SQL_Running: Yes
