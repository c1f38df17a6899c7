package io.slate.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The layers of docs/architecture.md as checked facts: the public API and the feature engines are written against
 * the SPI only, so nothing in them may reach into the shared-memory backend or Chronicle (or any other engine's
 * client library). A violation fails the build with the offending class and line.
 */
class ArchitectureTest {
    /** The public API: what users touch. */
    private static final String[] API = {"io.slate.agent..", "io.slate.blackboard..", "io.slate.consistency..", "io.slate.idle..",
        "io.slate.journal..", "io.slate.kv..", "io.slate.launch..", "io.slate.space..", "io.slate.sync..", "io.slate.tuple.."};
    /** The feature engines and the SPI they are written against. */
    private static final String[] ENGINES_AND_SPI = {"io.slate.engine..", "io.slate.spi.."};
    /** What belongs to one backend or another: never seen above the SPI. */
    private static final String[] BACKEND_ONLY = {"io.slate.shm..", "net.openhft..", "io.etcd..", "io.grpc..", "io.netty.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.slate");
    }

    @Test
    void theApiDependsOnNoBackend() {
        final ArchRule rule = noClasses().that().resideInAnyPackage(API)
                .should().dependOnClassesThat().resideInAnyPackage(BACKEND_ONLY)
                .because("the public API must run on every backend and expose no Chronicle, etcd or Netty type");
        rule.check(classes);
    }

    @Test
    void theEnginesAndTheSpiDependOnNoBackend() {
        final ArchRule rule = noClasses().that().resideInAnyPackage(ENGINES_AND_SPI)
                .should().dependOnClassesThat().resideInAnyPackage(BACKEND_ONLY)
                .because("the feature engines are written only against io.slate.spi, so that every backend runs them");
        rule.check(classes);
    }

    @Test
    void theSharedMemoryBackendIsReachedOnlyThroughTheServiceLoader() {
        // the API finds backends by scheme (io.slate.spi.Backends); nothing outside the backend names its classes
        final ArchRule rule = noClasses().that().resideOutsideOfPackage("io.slate.shm..")
                .and().resideOutsideOfPackage("io.slate.internal..")
                .should().dependOnClassesThat().resideInAPackage("io.slate.shm..")
                .because("a backend is chosen by the space's address, through META-INF/services/io.slate.spi.Backend");
        rule.check(classes);
    }
}
