package dev.stagehand.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OperatorQueryTest {
    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1", "select * from job;", "  WITH x AS (SELECT 1) SELECT * FROM x  ", "VALUES (1)",
            "SELECT ';' AS semicolon", "SELECT \"for\" FROM t -- FOR UPDATE; DROP TABLE job\n", "SELECT 1 /* ; DELETE */",
            "SELECT $$ ; FOR UPDATE $$", "EXPLAIN SELECT 1", "SHOW TABLES", "SELECT 'it''s; fine'"})
    void oneQueryThatReadsPasses(String sql) {
        OperatorQuery.check(sql);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DELETE FROM job | only queries that read",
            "UPDATE job SET state = 'x' | only queries that read",
            "CREATE ALIAS X FOR 'java.lang.Runtime.exec' | only queries that read",
            "SELECT 1; DELETE FROM job | one statement",
            "SELECT 1;; | one statement",
            "SELECT * FROM job FOR UPDATE | may not lock rows",
            "SELECT * FROM job for share | may not lock rows",
            "SELECT * FROM job FOR NO KEY UPDATE | may not lock rows",
            "'' | only queries that read",
            "-- just a comment | only queries that read"})
    void anythingElseIsRefusedInOneLine(String sql, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OperatorQuery.check(sql));
        assertEquals(true, e.getMessage().contains(why), e.getMessage());
    }
}
