package identigraph.neo4j;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Test-only launcher: embedded Neo4j Community with Bolt on 127.0.0.1:PORT, no auth (by default), no TLS.
 *
 * <pre>java -cp 'target/neo4j-launcher.jar:target/lib/*' identigraph.neo4j.Launcher PORT [HOME_DIR]</pre>
 *
 * Without HOME_DIR a fresh temp dir is used and deleted on shutdown. A given HOME_DIR is kept.
 * With the environment variable NEO4J_AUTH_PASSWORD set, authentication is enabled and the
 * user {@code neo4j} gets that password (no change required): for testing wrong credentials.
 * Prints "NEO4J_READY bolt://127.0.0.1:PORT" once the default database is available.
 * SIGTERM/SIGINT shut the DBMS down cleanly via a shutdown hook.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Launcher PORT [HOME_DIR]");
            System.exit(2);
        }
        final int port;
        try {
            port = Integer.parseInt(args[0]);
        } catch (NumberFormatException e) {
            System.err.println("Launcher: invalid port: " + args[0]);
            System.exit(2);
            return;
        }
        if (port < 1 || port > 65535) {
            System.err.println("Launcher: port out of range: " + port);
            System.exit(2);
        }

        final String authPassword = System.getenv("NEO4J_AUTH_PASSWORD");
        final boolean authEnabled = authPassword != null && !authPassword.isEmpty();
        final boolean tempHome = args.length < 2;
        final Path home = tempHome
                ? Files.createTempDirectory("identigraph-neo4j-")
                : Files.createDirectories(Paths.get(args[1]).toAbsolutePath());

        // Registered before build() so a SIGTERM during startup still cleans up the temp home.
        final AtomicReference<DatabaseManagementService> dbmsRef = new AtomicReference<>();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("NEO4J_STOPPING");
            System.out.flush();
            try {
                DatabaseManagementService running = dbmsRef.get();
                if (running != null) {
                    running.shutdown();
                }
            } catch (Throwable t) {
                System.err.println("Launcher: error during shutdown: " + t);
            } finally {
                if (tempHome) {
                    deleteRecursively(home);
                }
                System.out.println("NEO4J_STOPPED");
                System.out.flush();
                stopped.countDown();
            }
        }, "neo4j-launcher-shutdown"));

        final DatabaseManagementService dbms;
        try {
            dbms = new DatabaseManagementServiceBuilder(home)
                    // Bolt only, loopback only, plaintext; auth only with NEO4J_AUTH_PASSWORD.
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                    .setConfig(GraphDatabaseSettings.auth_enabled, authEnabled)
                    // Nothing else listening, nothing phoning home.
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    .setConfig(GraphDatabaseSettings.routing_enabled, false)
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                    // Small footprint for tests; NEO4J_PAGECACHE_MB for a big store.
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb()))
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    // Fast shutdown of the Bolt (netty) server on SIGTERM.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                    .build();
        } catch (Throwable t) {
            System.err.println("Launcher: failed to start Neo4j: " + t);
            t.printStackTrace();
            System.exit(1); // the shutdown hook removes the temp home
            return;
        }
        dbmsRef.set(dbms);

        if (!dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).isAvailable(TimeUnit.SECONDS.toMillis(120))) {
            System.err.println("Launcher: default database not available after 120 s");
            System.exit(1);
        }

        if (authEnabled) {
            // Embedded transactions bypass auth: set the initial password on the system database
            // (Neo4j wants at least 8 characters).
            try {
                dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                        java.util.Map.of("password", authPassword));
            } catch (Throwable t) {
                System.err.println("Launcher: cannot set the password of user neo4j: " + t.getMessage());
                System.exit(1);
            }
            System.out.println("NEO4J_AUTH enabled for user neo4j");
        }

        System.out.println("NEO4J_HOME " + home);
        System.out.println("NEO4J_READY bolt://127.0.0.1:" + port);
        System.out.flush();

        // Keep the JVM alive until the shutdown hook has run.
        stopped.await();
    }

    /** The page cache in MiB: NEO4J_PAGECACHE_MB, or 256. */
    private static long pagecacheMb() {
        final String given = System.getenv("NEO4J_PAGECACHE_MB");
        if (given == null || given.isEmpty()) {
            return 256;
        }
        try {
            return Long.parseLong(given);
        } catch (NumberFormatException e) {
            System.err.println("Launcher: NEO4J_PAGECACHE_MB is not a number: " + given);
            System.exit(2);
            return 0;
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("Launcher: could not delete " + root + ": " + e);
        }
    }
}
