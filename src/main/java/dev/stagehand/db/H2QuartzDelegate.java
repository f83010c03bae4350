package dev.stagehand.db;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.quartz.TriggerKey;
import org.quartz.impl.jdbcjobstore.StdJDBCDelegate;

/**
 * Quartz's standard SQL with one H2 quirk fixed: the query that picks the next due triggers
 * names the index that matches its ORDER BY (migration V4), so H2 reads it in order and stops at
 * the limit. With the stock query H2 sorted every due trigger on every pick.
 */
public final class H2QuartzDelegate extends StdJDBCDelegate {
    private static final String SELECT_NEXT_TRIGGERS = "SELECT " + COL_TRIGGER_NAME + ", " + COL_TRIGGER_GROUP
            + " FROM {0}TRIGGERS USE INDEX (IDX_QRTZ_T_ACQUIRE) WHERE SCHED_NAME = {1} AND TRIGGER_STATE = ?"
            + " AND NEXT_FIRE_TIME <= ? AND (MISFIRE_INSTR = -1 OR (MISFIRE_INSTR != -1 AND NEXT_FIRE_TIME >= ?))"
            + " ORDER BY NEXT_FIRE_TIME ASC, PRIORITY DESC LIMIT ?";

    @Override
    public List<TriggerKey> selectTriggerToAcquire(Connection conn, long noLaterThan, long noEarlierThan, int maxCount)
            throws SQLException {
        List<TriggerKey> next = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(rtp(SELECT_NEXT_TRIGGERS))) {
            ps.setString(1, STATE_WAITING);
            ps.setBigDecimal(2, BigDecimal.valueOf(noLaterThan));
            ps.setBigDecimal(3, BigDecimal.valueOf(noEarlierThan));
            ps.setInt(4, Math.max(1, maxCount));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    next.add(TriggerKey.triggerKey(rs.getString(COL_TRIGGER_NAME), rs.getString(COL_TRIGGER_GROUP)));
                }
            }
        }
        return next;
    }
}
