// SPDX-License-Identifier: GPL-3.0-or-later
// The JDBC client of TestProxyJdbc: the PostgreSQL JDBC driver through doppel-proxy, with what
// JDBC does that libpq, pgbench and psycopg do not: named server-side statements after
// prepareThreshold executions, binary parameters and results, batches pipelined under one Sync,
// a ResultSet fetched in chunks (Execute with a row limit, PortalSuspended), CopyManager, driver
// notifications, and cancels sent on their own connection by setQueryTimeout and
// Statement.cancel. Prints one "ok STEP ..." line per step and exits 1 at the first surprise.
//
// Usage: java -cp postgresql.jar:DIR ProxyJdbcClient HOST PORT DATABASE USER PASSWORD MD5USER
//        MD5PASSWORD
import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyManager;

public final class ProxyJdbcClient {
    private static String url;

    private static void check(boolean condition, String what) {
        if (!condition)
            throw new IllegalStateException(what);
    }

    private static void ok(String step, String detail) {
        System.out.println("ok " + step + (detail.isEmpty() ? "" : " " + detail));
        System.out.flush();
    }

    private static Connection connect(String user, String password, String extra)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", "proxytest-jdbc");
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", "60");
        if (!extra.isEmpty())
            for (String kv : extra.split("&")) {
                String[] parts = kv.split("=", 2);
                p.setProperty(parts[0], parts[1]);
            }
        return DriverManager.getConnection(url, p);
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            check(rs.next(), "no row from " + sql);
            return rs.getLong(1);
        }
    }

    // Statements without parameters (JDBC's extended protocol, unnamed statement), the simple
    // query protocol when asked for, and an error that leaves the connection usable.
    private static void simpleStatements(Connection c, String user, String password)
            throws SQLException {
        check(scalar(c, "SELECT 40 + 2") == 42, "SELECT 40 + 2");
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE jdbc_items (id int PRIMARY KEY, name text, "
                       + "at timestamp, data bytea)");
            try {
                st.executeQuery("SELECT 1/0");
                check(false, "SELECT 1/0 did not fail");
            } catch (SQLException e) {
                check("22012".equals(e.getSQLState()), "SELECT 1/0 gave " + e.getSQLState());
            }
        }
        check(scalar(c, "SELECT 7") == 7, "the connection is unusable after an error");
        try (Connection simple = connect(user, password, "preferQueryMode=simple");
             Statement st = simple.createStatement();
             ResultSet rs = st.executeQuery("SELECT 'simple-' || 7")) {
            check(rs.next() && rs.getString(1).equals("simple-7"), "simple query mode");
        }
        ok("simple", "42");
    }

    // One PreparedStatement run past prepareThreshold (5): JDBC moves it to a named server-side
    // statement and binary results; int, text, timestamp, bytea and null parameters.
    private static void preparedStatements(Connection c) throws SQLException {
        boolean serverPrepared = false;
        try (PreparedStatement ps =
                 c.prepareStatement("INSERT INTO jdbc_items VALUES (?, ?, ?, ?)")) {
            for (int i = 1; i <= 10; ++i) {
                ps.setInt(1, i);
                if (i % 3 == 0)
                    ps.setNull(2, Types.VARCHAR);
                else
                    ps.setString(2, "item-" + i);
                ps.setTimestamp(3, Timestamp.valueOf(LocalDateTime.of(2024, 1, i, 12, 30, 15)));
                ps.setBytes(4, new byte[] {(byte) i, 0, (byte) 0xff});
                check(ps.executeUpdate() == 1, "insert " + i);
            }
            serverPrepared = ps.unwrap(PGStatement.class).isUseServerPrepare();
        }
        check(serverPrepared, "the insert never became a server-side prepared statement");
        int read = 0;
        try (PreparedStatement ps =
                 c.prepareStatement("SELECT id, name, at, data FROM jdbc_items WHERE id = ?")) {
            for (int i = 1; i <= 10; ++i) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next(), "row " + i);
                    check(rs.getInt(1) == i, "id " + i);
                    if (i % 3 == 0)
                        check(rs.getString(2) == null, "null name " + i);
                    else
                        check(("item-" + i).equals(rs.getString(2)), "name " + i);
                    check(rs.getTimestamp(3).toLocalDateTime().equals(
                              LocalDateTime.of(2024, 1, i, 12, 30, 15)),
                          "timestamp " + i + ": " + rs.getTimestamp(3));
                    check(Arrays.equals(rs.getBytes(4), new byte[] {(byte) i, 0, (byte) 0xff}),
                          "bytea " + i);
                    check(!rs.next(), "one row " + i);
                    ++read;
                }
            }
        }
        ok("prepared", "inserted=10 read=" + read);
    }

    // addBatch/executeBatch: many Bind/Execute pairs pipelined before one Sync.
    private static void batches(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE jdbc_batch (id int, label text)");
        }
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_batch VALUES (?, ?)")) {
            for (int i = 1; i <= 100; ++i) {
                ps.setInt(1, i);
                ps.setString(2, "label-" + i);
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        check(counts.length == 100, "batch size " + counts.length);
        for (int n : counts)
            check(n == 1, "batch count " + n);
        try (Statement st = c.createStatement()) {
            st.addBatch("UPDATE jdbc_batch SET label = 'first' WHERE id = 1");
            st.addBatch("DELETE FROM jdbc_batch WHERE id = 2");
            int[] mixed = st.executeBatch();
            check(mixed.length == 2 && mixed[0] == 1 && mixed[1] == 1, "statement batch");
        }
        check(scalar(c, "SELECT count(*) FROM jdbc_batch") == 99, "rows after the batches");
        ok("batch", "100");
    }

    private static void transactions(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO jdbc_items VALUES (1000, 'rolled back', now(), NULL)");
            check(scalar(c, "SELECT count(*) FROM jdbc_items WHERE id = 1000") == 1,
                  "insert visible in its transaction");
            c.rollback();
            check(scalar(c, "SELECT count(*) FROM jdbc_items WHERE id = 1000") == 0,
                  "rollback kept the row");
            st.executeUpdate("INSERT INTO jdbc_items VALUES (1001, 'committed', now(), NULL)");
            c.commit();
        }
        c.setAutoCommit(true);
        check(scalar(c, "SELECT count(*) FROM jdbc_items WHERE id = 1001") == 1, "commit");
        ok("transaction", "rollback+commit");
    }

    // setFetchSize inside a transaction: JDBC binds a named portal and fetches it 10 rows at a
    // time, each fetch an Execute with a row limit answered by PortalSuspended until the end.
    // The second ResultSet is closed after 15 of its 1000 rows.
    private static void fetchInChunks(Connection c) throws SQLException {
        c.setAutoCommit(false);
        long rows = 0;
        long sum = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(10);
            try (ResultSet rs =
                     st.executeQuery("SELECT g, repeat('x', g) FROM generate_series(1, 95) g")) {
                while (rs.next()) {
                    ++rows;
                    sum += rs.getInt(1);
                    check(rs.getString(2).length() == rs.getInt(1), "repeat " + rs.getInt(1));
                    // Another statement of the same transaction while the portal is open.
                    if (rows == 50)
                        check(scalar(c, "SELECT 50") == 50, "statement between fetches");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 1000) g")) {
                for (int i = 0; i < 15; ++i)
                    check(rs.next(), "early close row " + i);
            }
        }
        c.commit();
        c.setAutoCommit(true);
        check(rows == 95 && sum == 4560, "fetched " + rows + " rows, sum " + sum);
        ok("fetch", "rows=" + rows);
    }

    private static void copyBothWays(Connection c) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE jdbc_copy (id int, label text)");
        }
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        StringBuilder csv = new StringBuilder();
        for (int i = 1; i <= 20000; ++i)
            csv.append(i).append(",label-").append(i).append('\n');
        long in = copy.copyIn("COPY jdbc_copy FROM STDIN (FORMAT csv)",
                              new StringReader(csv.toString()));
        check(in == 20000, "copy in " + in);
        check(scalar(c, "SELECT sum(id) FROM jdbc_copy") == 200010000L, "copied sum");
        StringWriter out = new StringWriter();
        long outRows = copy.copyOut(
            "COPY (SELECT id, label FROM jdbc_copy WHERE id <= 500 ORDER BY id) TO STDOUT "
                + "(FORMAT csv)",
            out);
        check(outRows == 500, "copy out " + outRows);
        String[] lines = out.toString().split("\n");
        check(lines.length == 500 && lines[499].equals("500,label-500"), "copy out text");
        ok("copy", "in=" + in + " out=" + outRows);
    }

    private static void notifications(Connection c, String user, String password)
            throws SQLException {
        try (Connection listener = connect(user, password, "")) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN jdbc_jobs");
            }
            try (Statement st = c.createStatement()) {
                st.execute("NOTIFY jdbc_jobs, 'job-7'");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                ps.setString(1, "jdbc_jobs");
                ps.setString(2, "job-8");
                ps.executeQuery().close();
            }
            int seen = 0;
            StringBuilder payloads = new StringBuilder();
            long deadline = System.currentTimeMillis() + 15000;
            while (seen < 2 && System.currentTimeMillis() < deadline) {
                PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(5000);
                if (got == null)
                    continue;
                for (PGNotification n : got) {
                    check(n.getName().equals("jdbc_jobs"), "channel " + n.getName());
                    payloads.append(seen == 0 ? "" : ",").append(n.getParameter());
                    ++seen;
                }
            }
            check(payloads.toString().equals("job-7,job-8"), "notifications: " + payloads);
            ok("notify", payloads.toString());
        }
    }

    // setQueryTimeout and Statement.cancel: the driver opens a second connection with a
    // CancelRequest carrying the key the proxy gave it.
    private static void cancels(Connection c) throws Exception {
        long started = System.nanoTime();
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(1);
            try {
                st.execute("SELECT pg_sleep(30)");
                check(false, "pg_sleep(30) was not cancelled by the query timeout");
            } catch (SQLException e) {
                check("57014".equals(e.getSQLState()), "query timeout gave " + e.getSQLState());
            }
        }
        long timeoutMs = (System.nanoTime() - started) / 1_000_000;
        check(timeoutMs < 10000, "query timeout took " + timeoutMs + " ms");
        started = System.nanoTime();
        try (Statement st = c.createStatement()) {
            Thread canceller = new Thread(() -> {
                try {
                    Thread.sleep(700);
                    st.cancel();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            canceller.start();
            try {
                st.execute("SELECT pg_sleep(31)");
                check(false, "pg_sleep(31) was not cancelled");
            } catch (SQLException e) {
                check("57014".equals(e.getSQLState()), "cancel gave " + e.getSQLState());
            }
            canceller.join();
        }
        long cancelMs = (System.nanoTime() - started) / 1_000_000;
        check(cancelMs < 10000, "cancel took " + cancelMs + " ms");
        check(scalar(c, "SELECT 8") == 8, "the connection is unusable after a cancel");
        ok("cancel", "timeout=" + timeoutMs + "ms cancel=" + cancelMs + "ms");
    }

    private static void md5Login(String user, String password) throws SQLException {
        try (Connection c = connect(user, password, "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_user")) {
            check(rs.next() && rs.getString(1).equals(user), "md5 login");
        }
        try {
            connect(user, "wrong", "").close();
            check(false, "a wrong md5 password was accepted");
        } catch (SQLException e) {
            check("28P01".equals(e.getSQLState()), "wrong md5 password gave " + e.getSQLState());
        }
        ok("md5", user);
    }

    public static void main(String[] args) {
        if (args.length != 7) {
            System.err.println("usage: ProxyJdbcClient HOST PORT DATABASE USER PASSWORD MD5USER "
                               + "MD5PASSWORD");
            System.exit(2);
        }
        url = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/" + args[2];
        try (Connection c = connect(args[3], args[4], "")) {
            ok("login", c.getMetaData().getDriverVersion());
            simpleStatements(c, args[3], args[4]);
            preparedStatements(c);
            batches(c);
            transactions(c);
            fetchInChunks(c);
            copyBothWays(c);
            notifications(c, args[3], args[4]);
            cancels(c);
            md5Login(args[5], args[6]);
            ok("done", "");
        } catch (Throwable e) {
            System.out.println("failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }
}
