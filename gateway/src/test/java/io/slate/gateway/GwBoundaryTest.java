package io.slate.gateway;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The gateway uses only core's public API: core's internals (io.slate.internal) are being reorganized behind an SPI,
 * and the gateway must not notice. Netty stays out of the gateway's public types too.
 */
class GwBoundaryTest {
    /** The gateway's compiled classes only (scanning the whole classpath would take far longer). */
    private final JavaClasses gateway = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPath(classesOf(Gateway.class));

    private static java.nio.file.Path classesOf(final Class<?> c) {
        try {
            return java.nio.file.Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void noDependencyOnCoreInternals() {
        noClasses().that().resideInAPackage("io.slate.gateway..")
                // io.slate.internal today; the backend packages the SPI refactoring (issue #10) moves them to
                .should().dependOnClassesThat().resideInAnyPackage("io.slate.internal..", "io.slate.shm..", "io.slate.engine..", "io.slate.spi..")
                .check(gateway);
    }

    @Test
    void noChronicleInTheGateway() {
        noClasses().that().resideInAPackage("io.slate.gateway..")
                .should().dependOnClassesThat().resideInAnyPackage("net.openhft..", "org.agrona..")
                .check(gateway);
    }
}
