package dev.stagehand.staging.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Python literal (what {@code ast.literal_eval} accepts, minus numbers' finer points) as
 * data: dicts, lists, tuples, strings with escapes and implicit concatenation, numbers, True,
 * False, None. Nothing is evaluated; anything else is a {@link Malformed}.
 */
public final class PythonLiteral {
    private final String text;
    private int pos;

    private PythonLiteral(String text) {
        this.text = text;
    }

    static Object parse(String text) throws Malformed {
        PythonLiteral p = new PythonLiteral(text);
        Object value = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.malformed("unexpected text after the literal");
        }
        return value;
    }

    /** The string literals of one Python expression (e.g. {@code ('a, ' "b")}), concatenated; null if it holds none. */
    static String strings(String expression) {
        PythonLiteral p = new PythonLiteral(expression);
        StringBuilder out = null;
        while (p.pos < expression.length()) {
            char c = expression.charAt(p.pos);
            if (c == '#') {
                break;
            }
            if (c == '\'' || c == '"') {
                try {
                    String s = p.string();
                    out = out == null ? new StringBuilder(s) : out.append(s);
                } catch (Malformed e) {
                    return out == null ? null : out.toString();
                }
            } else {
                p.pos++;
            }
        }
        return out == null ? null : out.toString();
    }

    private Object value() throws Malformed {
        skipSpace();
        if (pos >= text.length()) {
            throw malformed("a value is missing");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> dict();
            case '[' -> sequence('[', ']');
            case '(' -> sequence('(', ')');
            case '\'', '"' -> strings();
            default -> word();
        };
    }

    private Map<Object, Object> dict() throws Malformed {
        Map<Object, Object> map = new LinkedHashMap<>();
        pos++;
        while (true) {
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            Object key = value();
            skipSpace();
            expect(':');
            map.put(key, value());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw malformed("',' or '}' expected");
            }
        }
    }

    private List<Object> sequence(char open, char close) throws Malformed {
        List<Object> list = new ArrayList<>();
        pos++;
        while (true) {
            skipSpace();
            if (peek() == close) {
                pos++;
                return list;
            }
            list.add(value());
            skipSpace();
            if (peek() == ',') {
                pos++;
            } else if (peek() != close) {
                throw malformed("',' or '" + close + "' expected");
            }
        }
    }

    /** One or more adjacent string literals, concatenated as Python does. */
    private String strings() throws Malformed {
        StringBuilder out = new StringBuilder(string());
        while (true) {
            int save = pos;
            skipSpace();
            if (pos < text.length() && (peek() == '\'' || peek() == '"')) {
                out.append(string());
            } else {
                pos = save;
                return out.toString();
            }
        }
    }

    private String string() throws Malformed {
        char quote = text.charAt(pos);
        boolean triple = text.startsWith(String.valueOf(quote).repeat(3), pos);
        pos += triple ? 3 : 1;
        StringBuilder out = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == quote && (!triple || text.startsWith(String.valueOf(quote).repeat(3), pos))) {
                pos += triple ? 3 : 1;
                return out.toString();
            }
            if (c == '\n' && !triple) {
                break;
            }
            if (c == '\\' && pos + 1 < text.length()) {
                char e = text.charAt(pos + 1);
                out.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> e;
                });
                pos += 2;
                continue;
            }
            out.append(c);
            pos++;
        }
        throw malformed("unterminated string");
    }

    private Object word() throws Malformed {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "+-._".indexOf(text.charAt(pos)) >= 0)) {
            pos++;
        }
        String word = text.substring(start, pos);
        switch (word) {
            case "True":
                return Boolean.TRUE;
            case "False":
                return Boolean.FALSE;
            case "None":
                return null;
            default:
                try {
                    return word.contains(".") ? (Object) Double.parseDouble(word) : (Object) Long.parseLong(word);
                } catch (NumberFormatException e) {
                    throw malformed("not a literal: '" + word + "'");
                }
        }
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private char peek() throws Malformed {
        if (pos >= text.length()) {
            throw malformed("unexpected end");
        }
        return text.charAt(pos);
    }

    private void expect(char c) throws Malformed {
        if (peek() != c) {
            throw malformed("'" + c + "' expected");
        }
        pos++;
    }

    private Malformed malformed(String why) {
        return new Malformed(why + " at character " + pos);
    }

    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }
}
