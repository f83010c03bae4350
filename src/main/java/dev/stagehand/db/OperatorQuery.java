package dev.stagehand.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the {@code sql} command accepts: one query that reads (SELECT, WITH, VALUES, TABLE, SHOW or
 * EXPLAIN), without row locks. The database refuses writes on its own (see {@link ReaderAccount});
 * this check keeps a second statement from riding along and a query from locking rows that
 * staging and {@code clean} wait for. Words are read outside strings, quoted names and comments.
 */
public final class OperatorQuery {
    private static final Set<String> READING = Set.of("SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN");

    private OperatorQuery() {}

    /** The query without a trailing ';', or {@link IllegalArgumentException} saying in one line why it is refused. */
    public static String check(String sql) {
        String query = sql.strip();
        if (query.endsWith(";")) {
            query = query.substring(0, query.length() - 1).strip();
        }
        List<String> words = new ArrayList<>();
        if (outsideQuotes(query, words)) {
            throw new IllegalArgumentException("one statement at a time: ';' may only end the query");
        }
        if (words.isEmpty() || !READING.contains(words.get(0))) {
            throw new IllegalArgumentException("only queries that read are allowed (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN)");
        }
        for (int i = 0; i + 1 < words.size(); i++) {
            if (words.get(i).equals("FOR") && Set.of("UPDATE", "SHARE", "NO", "KEY").contains(words.get(i + 1))) {
                throw new IllegalArgumentException("a query may not lock rows (FOR UPDATE / FOR SHARE)");
            }
        }
        return query;
    }

    /** Collects the upper-cased words outside quotes and comments into {@code words}; true when a ';' stands among them. */
    private static boolean outsideQuotes(String s, List<String> words) {
        boolean semicolon = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = closing(s, i + 1, c);
            } else if (s.startsWith("--", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end + 1;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else if (c == '$' && dollarTag(s, i) != null) {
                String tag = dollarTag(s, i);
                int end = s.indexOf(tag, i + tag.length());
                i = end < 0 ? s.length() : end + tag.length();
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                words.add(s.substring(start, i).toUpperCase(Locale.ROOT));
            } else {
                semicolon |= c == ';';
                i++;
            }
        }
        return semicolon;
    }

    /** The index after a quoted run that started before {@code from}; a doubled quote stays inside it. */
    private static int closing(String s, int from, char quote) {
        int i = from;
        while (i < s.length()) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return s.length();
    }

    /** PostgreSQL's dollar quote at {@code i} ({@code $$} or {@code $tag$}), or null. */
    private static String dollarTag(String s, int i) {
        int end = s.indexOf('$', i + 1);
        if (end < 0) {
            return null;
        }
        String tag = s.substring(i, end + 1);
        return tag.substring(1, tag.length() - 1).chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_') ? tag : null;
    }
}
