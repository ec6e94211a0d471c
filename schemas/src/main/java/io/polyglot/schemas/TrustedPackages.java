package io.polyglot.schemas;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Adds the generated classes of this module to the classes Avro is willing to instantiate while decoding. Avro 1.12
 * trusts only its own and the JDK's classes unless told otherwise; this widens the trusted set and keeps whatever
 * policy the process already had (including the {@code org.apache.avro.SERIALIZABLE_PACKAGES} property).
 */
final class TrustedPackages {

    private static final String GENERATED_PACKAGE = "io.polyglot.schemas.avro";
    private static boolean installed;

    private TrustedPackages() {}

    static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityPredicate existing = ClassSecurityValidator.getGlobal();
        ClassSecurityPredicate ours =
                type -> type.getPackage() != null && type.getPackageName().equals(GENERATED_PACKAGE);
        ClassSecurityValidator.setGlobal(type -> ours.isTrusted(type) || existing.isTrusted(type));
        installed = true;
    }
}
