package hoso.es;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.KeywordRepeatFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.path.PathHierarchyTokenizer;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredCharFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

import java.io.IOException;
import java.io.Reader;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * HoSo test node: the analysis components of Elasticsearch's {@code analysis-common} module that
 * HoSo's tests use, written on the Lucene classes the server already ships.
 *
 * <p>Elastic does not publish the {@code analysis-common} module to Maven Central for 8.x (only
 * the server, {@code transport-netty4} and {@code x-pack-core} are there), so this plugin
 * registers the same names with the same parameters for the common subset:
 * <ul>
 *   <li>token filters: lowercase (language), uppercase, asciifolding (preserve_original),
 *       pattern_replace (pattern, replacement, all), trim, unique (only_on_same_position),
 *       length (min, max), truncate (length), edge_ngram / ngram (min_gram, max_gram,
 *       preserve_original), reverse, keyword_repeat, remove_duplicates, decimal_digit;</li>
 *   <li>char filters: pattern_replace (pattern, replacement, flags), mapping (mappings,
 *       mappings_path), html_strip (escaped_tags);</li>
 *   <li>tokenizers: keyword, whitespace, letter, pattern (pattern, flags, group), ngram /
 *       edge_ngram (min_gram, max_gram, token_chars), uax_url_email, classic, path_hierarchy.</li>
 * </ul>
 * Anything else (synonyms, stemmers, language analyzers, word_delimiter...) is not here and
 * fails index creation with Elasticsearch's usual "unknown filter type" error.
 */
public final class AnalysisShimPlugin extends Plugin implements AnalysisPlugin {

    // ---------------------------------------------------------------- small factory helpers

    private static TokenFilterFactory filter(String name, Function<TokenStream, TokenStream> create) {
        return new TokenFilterFactory() {
            @Override public String name() { return name; }
            @Override public TokenStream create(TokenStream in) { return create.apply(in); }
        };
    }

    /** A filter that also applies to normalizers (keyword fields, query-time normalization). */
    private static TokenFilterFactory normalizing(String name, Function<TokenStream, TokenStream> create,
                                                  Function<TokenStream, TokenStream> normalize) {
        return new NormalizingTokenFilterFactory() {
            @Override public String name() { return name; }
            @Override public TokenStream create(TokenStream in) { return create.apply(in); }
            @Override public TokenStream normalize(TokenStream in) { return normalize.apply(in); }
        };
    }

    private static CharFilterFactory charFilter(String name, boolean normalizes, Function<Reader, Reader> create) {
        if (normalizes) {
            return new NormalizingCharFilterFactory() {
                @Override public String name() { return name; }
                @Override public Reader create(Reader in) { return create.apply(in); }
            };
        }
        return new CharFilterFactory() {
            @Override public String name() { return name; }
            @Override public Reader create(Reader in) { return create.apply(in); }
        };
    }

    private static Pattern pattern(Settings settings, String flagsKey) {
        String regex = settings.get("pattern");
        if (regex == null) {
            throw new IllegalArgumentException("pattern is missing");
        }
        String flags = flagsKey == null ? null : settings.get(flagsKey);
        return Pattern.compile(regex, flags == null ? 0 : Regex.flagsFromString(flags));
    }

    private static int minGram(Settings s) { return s.getAsInt("min_gram", 1); }
    private static int maxGram(Settings s) { return s.getAsInt("max_gram", 2); }

    // ---------------------------------------------------------------- token filters

    private static TokenStream lowercase(String language, TokenStream in) {
        if (language == null) {
            return new LowerCaseFilter(in);
        }
        return switch (language.toLowerCase(Locale.ROOT)) {
            case "greek" -> new GreekLowerCaseFilter(in);
            case "irish" -> new IrishLowerCaseFilter(in);
            case "turkish" -> new TurkishLowerCaseFilter(in);
            default -> throw new IllegalArgumentException("language [" + language + "] not supported for lowercase");
        };
    }

    /** ES's {@code unique} filter: drops a term seen before anywhere in the stream. */
    static final class UniqueFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        UniqueFilter(TokenStream in) { super(in); }

        @Override
        public boolean incrementToken() throws IOException {
            while (input.incrementToken()) {
                if (seen.contains(term.buffer(), 0, term.length()) == false) {
                    seen.add(new String(term.buffer(), 0, term.length()));
                    return true;
                }
            }
            return false;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> m = new TreeMap<>();
        m.put("lowercase", (idx, env, name, s) -> {
            String language = s.get("language");
            return normalizing(name, in -> lowercase(language, in), in -> lowercase(language, in));
        });
        m.put("uppercase", (idx, env, name, s) -> normalizing(name, UpperCaseFilter::new, UpperCaseFilter::new));
        m.put("asciifolding", (idx, env, name, s) -> {
            boolean preserve = s.getAsBoolean("preserve_original", false);
            // like ES: normalization (keyword fields, wildcard terms) folds without keeping the original
            return normalizing(name, in -> new ASCIIFoldingFilter(in, preserve), in -> new ASCIIFoldingFilter(in, false));
        });
        m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((idx, env, name, s) -> {
            Pattern p = pattern(s, null);
            String replacement = s.get("replacement", "");
            boolean all = s.getAsBoolean("all", true);
            return filter(name, in -> new PatternReplaceFilter(in, p, replacement, all));
        }));
        m.put("trim", (idx, env, name, s) -> normalizing(name, TrimFilter::new, TrimFilter::new));
        m.put("unique", (idx, env, name, s) -> s.getAsBoolean("only_on_same_position", false)
            ? filter(name, RemoveDuplicatesTokenFilter::new) : filter(name, UniqueFilter::new));
        m.put("length", (idx, env, name, s) -> {
            int min = s.getAsInt("min", 0);
            int max = s.getAsInt("max", Integer.MAX_VALUE);
            return filter(name, in -> new LengthFilter(in, min, max));
        });
        m.put("truncate", (idx, env, name, s) -> {
            int length = s.getAsInt("length", 10);
            return filter(name, in -> new TruncateTokenFilter(in, length));
        });
        m.put("edge_ngram", (idx, env, name, s) -> {
            int min = minGram(s), max = maxGram(s);
            boolean preserve = s.getAsBoolean("preserve_original", false);
            return filter(name, in -> new EdgeNGramTokenFilter(in, min, max, preserve));
        });
        m.put("ngram", (idx, env, name, s) -> {
            int min = minGram(s), max = maxGram(s);
            boolean preserve = s.getAsBoolean("preserve_original", false);
            return filter(name, in -> new NGramTokenFilter(in, min, max, preserve));
        });
        m.put("reverse", (idx, env, name, s) -> filter(name, ReverseStringFilter::new));
        m.put("keyword_repeat", (idx, env, name, s) -> filter(name, KeywordRepeatFilter::new));
        m.put("remove_duplicates", (idx, env, name, s) -> filter(name, RemoveDuplicatesTokenFilter::new));
        m.put("decimal_digit", (idx, env, name, s) -> normalizing(name, DecimalDigitFilter::new, DecimalDigitFilter::new));
        return m;
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        return List.of(
            PreConfiguredTokenFilter.singleton("uppercase", true, UpperCaseFilter::new),
            PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new),
            PreConfiguredTokenFilter.singleton("trim", true, TrimFilter::new),
            PreConfiguredTokenFilter.singleton("unique", false, UniqueFilter::new),
            PreConfiguredTokenFilter.singleton("reverse", false, ReverseStringFilter::new),
            PreConfiguredTokenFilter.singleton("keyword_repeat", false, false, KeywordRepeatFilter::new),
            PreConfiguredTokenFilter.singleton("remove_duplicates", false, RemoveDuplicatesTokenFilter::new),
            PreConfiguredTokenFilter.singleton("decimal_digit", true, DecimalDigitFilter::new),
            PreConfiguredTokenFilter.singleton("edge_ngram", false, false, in -> new EdgeNGramTokenFilter(in, 1, 2, false)),
            PreConfiguredTokenFilter.singleton("ngram", false, false, in -> new NGramTokenFilter(in, 1, 2, false))
        );
    }

    // ---------------------------------------------------------------- char filters

    /** Parses one {@code mapping} rule, "from => to", with ES's escapes (\\n, \\t, \\uXXXX, ...). */
    static void addMappingRule(NormalizeCharMap.Builder builder, String rule) {
        int arrow = rule.indexOf("=>");
        if (arrow < 0) {
            throw new IllegalArgumentException("Invalid mapping rule : [" + rule + "]");
        }
        String from = unescape(rule.substring(0, arrow).trim());
        String to = unescape(rule.substring(arrow + 2).trim());
        if (from.isEmpty()) {
            throw new IllegalArgumentException("Invalid mapping rule: [" + rule + "]. Replaced string cannot be empty");
        }
        builder.add(from, to);
    }

    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (i + 4 >= s.length()) {
                            throw new IllegalArgumentException("Invalid escaped char in [" + s + "]");
                        }
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(e);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        Map<String, AnalysisProvider<CharFilterFactory>> m = new TreeMap<>();
        m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((idx, env, name, s) -> {
            Pattern p = pattern(s, "flags");
            String replacement = s.get("replacement", "");
            return charFilter(name, true, in -> new PatternReplaceCharFilter(p, replacement, in));
        }));
        m.put("mapping", AnalysisPlugin.requiresAnalysisSettings((idx, env, name, s) -> {
            List<String> rules = Analysis.getWordList(env, s, "mappings");
            if (rules == null) {
                throw new IllegalArgumentException("mapping requires either `mappings` or `mappings_path` to be configured");
            }
            NormalizeCharMap.Builder builder = new NormalizeCharMap.Builder();
            for (String rule : rules) {
                addMappingRule(builder, rule);
            }
            NormalizeCharMap map = builder.build();
            return charFilter(name, true, in -> new MappingCharFilter(map, in));
        }));
        m.put("html_strip", (idx, env, name, s) -> {
            List<String> tags = s.getAsList("escaped_tags");
            Set<String> escaped = tags.isEmpty() ? null : new HashSet<>(tags);
            return charFilter(name, false, in -> new HTMLStripCharFilter(in, escaped));
        });
        return m;
    }

    @Override
    public List<PreConfiguredCharFilter> getPreConfiguredCharFilters() {
        return List.of(PreConfiguredCharFilter.singleton("html_strip", false, HTMLStripCharFilter::new));
    }

    // ---------------------------------------------------------------- tokenizers

    /** The {@code token_chars} classes of ES's ngram tokenizers. */
    static java.util.function.IntPredicate tokenChars(List<String> classes) {
        if (classes.isEmpty()) {
            return c -> true;
        }
        java.util.function.IntPredicate any = c -> false;
        for (String cls : classes) {
            java.util.function.IntPredicate p = switch (cls.toLowerCase(Locale.ROOT)) {
                case "letter" -> Character::isLetter;
                case "digit" -> Character::isDigit;
                case "whitespace" -> Character::isWhitespace;
                case "punctuation" -> c -> switch (Character.getType(c)) {
                    case Character.START_PUNCTUATION, Character.END_PUNCTUATION, Character.OTHER_PUNCTUATION,
                         Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION,
                         Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION -> true;
                    default -> false;
                };
                case "symbol" -> c -> switch (Character.getType(c)) {
                    case Character.CURRENCY_SYMBOL, Character.MATH_SYMBOL, Character.OTHER_SYMBOL,
                         Character.MODIFIER_SYMBOL -> true;
                    default -> false;
                };
                default -> throw new IllegalArgumentException("Unknown token type: '" + cls + "'");
            };
            any = any.or(p);
        }
        return any;
    }

    private static TokenizerFactory tokenizer(String name, Supplier<Tokenizer> create) {
        return TokenizerFactory.newFactory(name, create);
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> m = new TreeMap<>();
        m.put("keyword", (idx, env, name, s) -> {
            int buffer = s.getAsInt("buffer_size", 256);
            return tokenizer(name, () -> new KeywordTokenizer(buffer));
        });
        m.put("whitespace", (idx, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return tokenizer(name, () -> new WhitespaceTokenizer(WhitespaceTokenizer.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, max));
        });
        m.put("letter", (idx, env, name, s) -> tokenizer(name, LetterTokenizer::new));
        m.put("pattern", (idx, env, name, s) -> {
            String regex = s.get("pattern", "\\W+");
            String flags = s.get("flags");
            Pattern p = Pattern.compile(regex, flags == null ? 0 : Regex.flagsFromString(flags));
            int group = s.getAsInt("group", -1);
            return tokenizer(name, () -> new PatternTokenizer(p, group));
        });
        m.put("ngram", (idx, env, name, s) -> {
            int min = minGram(s), max = maxGram(s);
            var chars = tokenChars(s.getAsList("token_chars"));
            return tokenizer(name, () -> new NGramTokenizer(min, max) {
                @Override protected boolean isTokenChar(int c) { return chars.test(c); }
            });
        });
        m.put("edge_ngram", (idx, env, name, s) -> {
            int min = minGram(s), max = maxGram(s);
            var chars = tokenChars(s.getAsList("token_chars"));
            return tokenizer(name, () -> new EdgeNGramTokenizer(min, max) {
                @Override protected boolean isTokenChar(int c) { return chars.test(c); }
            });
        });
        m.put("uax_url_email", (idx, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return tokenizer(name, () -> {
                UAX29URLEmailTokenizer t = new UAX29URLEmailTokenizer();
                t.setMaxTokenLength(max);
                return t;
            });
        });
        m.put("classic", (idx, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return tokenizer(name, () -> {
                ClassicTokenizer t = new ClassicTokenizer();
                t.setMaxTokenLength(max);
                return t;
            });
        });
        m.put("path_hierarchy", (idx, env, name, s) -> {
            char delimiter = s.get("delimiter", "/").charAt(0);
            char replacement = s.get("replacement", String.valueOf(delimiter)).charAt(0);
            int skip = s.getAsInt("skip", 0);
            int buffer = s.getAsInt("buffer_size", 1024);
            if (s.getAsBoolean("reverse", false)) {
                return tokenizer(name, () -> new org.apache.lucene.analysis.path.ReversePathHierarchyTokenizer(
                    buffer, delimiter, replacement, skip));
            }
            return tokenizer(name, () -> new PathHierarchyTokenizer(buffer, delimiter, replacement, skip));
        });
        return m;
    }

    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return List.of(
            PreConfiguredTokenizer.singleton("keyword", KeywordTokenizer::new),
            PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new),
            PreConfiguredTokenizer.singleton("letter", LetterTokenizer::new),
            PreConfiguredTokenizer.singleton("pattern", () -> new PatternTokenizer(Pattern.compile("\\W+"), -1)),
            PreConfiguredTokenizer.singleton("ngram", NGramTokenizer::new),
            PreConfiguredTokenizer.singleton("edge_ngram", () -> new EdgeNGramTokenizer(1, 1)),
            PreConfiguredTokenizer.singleton("uax_url_email", UAX29URLEmailTokenizer::new),
            PreConfiguredTokenizer.singleton("classic", ClassicTokenizer::new),
            PreConfiguredTokenizer.singleton("path_hierarchy", PathHierarchyTokenizer::new)
        );
    }

}
