package hoso.es;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.HosoNodeFactory;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts one Elasticsearch node in this JVM for HoSo's tests (see tests/services/elastic.py).
 *
 * <p>Usage: {@code java -cp ... hoso.es.TestNode -Epath.home=DIR -Ekey=value ...}. Settings are
 * given as {@code -E} options, like the {@code elasticsearch} command; {@code DIR/config} may
 * hold an {@code elasticsearch.yml}. The node runs until the JVM gets SIGTERM/SIGINT, then
 * closes cleanly (flushes shards) and exits. With {@code -Dhoso.es.exitOnStdinEof=true} it also
 * exits (cleanly) when its stdin reaches end of file, i.e. when the process that started it dies.
 */
public final class TestNode {

    /** The plugins this node loads from the class path. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,           // HTTP and transport (the real transport-netty4 module)
        AnalysisShimPlugin.class,     // HoSo's stand-in for the analysis-common module
        ByQueryShimPlugin.class,      // HoSo's stand-in for _reindex/_update_by_query/_delete_by_query
        RootShimPlugin.class          // HoSo's stand-in for the rest-root module (GET /)
    );

    /**
     * Logging to {@code <path.logs>/<cluster.name>.log} (Elasticsearch redirects System.out/err
     * there too once logging is configured); used when {@code config/} has no log4j2.properties.
     */
    static final String DEFAULT_LOG4J = String.join("\n",
        "status = error",
        "appender.file.type = File",
        "appender.file.name = file",
        "appender.file.fileName = ${sys:es.logs.base_path}${sys:file.separator}${sys:es.logs.cluster_name}.log",
        "appender.file.immediateFlush = true",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %m%n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.file.ref = file",
        "logger.deprecation.name = org.elasticsearch.deprecation",
        "logger.deprecation.level = error",
        "");

    private TestNode() {}

    /** The real stdin, kept before Elasticsearch's logging setup replaces the standard streams. */
    private static final java.io.InputStream STDIN = System.in;

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            if (arg.startsWith("-E") && arg.indexOf('=') > 2) {
                int eq = arg.indexOf('=');
                builder.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                System.err.println("unknown argument (expected -Ekey=value): " + arg);
                System.exit(64);
            }
        }
        Settings input = builder.build();
        if (input.get("path.home") == null) {
            System.err.println("-Epath.home=DIR is required");
            System.exit(64);
        }
        LogConfigurator.registerErrorListener();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            input, Map.of(), null, () -> "hoso-es");
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        Path log4j = environment.configDir().resolve("log4j2.properties");
        if (Files.exists(log4j) == false) {
            Files.createDirectories(log4j.getParent());
            Files.writeString(log4j, DEFAULT_LOG4J);
        }
        LogConfigurator.configure(environment, false);

        Node node = HosoNodeFactory.create(environment, PLUGINS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.prepareForClose();
                node.close();
                if (node.awaitClose(20, TimeUnit.SECONDS) == false) {
                    System.err.println("node did not close within 20 s");
                }
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "hoso-es-shutdown"));
        node.start();
        if (Boolean.getBoolean("hoso.es.exitOnStdinEof")) {
            // The caller holds our stdin open: when it dies (even by SIGKILL) we get EOF and exit,
            // so no orphaned node keeps a gigabyte of heap and a port.
            Thread watchdog = new Thread(() -> {
                try {
                    while (STDIN.read() >= 0) {
                        // ignore input
                    }
                } catch (java.io.IOException e) {
                    // treat as EOF
                }
                System.exit(0);
            }, "hoso-es-stdin-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        System.out.println("HOSO-ES-STARTED");
        System.out.flush();
        stopped.await();
    }
}
