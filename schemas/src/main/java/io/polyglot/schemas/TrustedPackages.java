package io.polyglot.schemas;

import io.polyglot.schemas.avro.EventEnvelope;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Adds the generated classes of this module to the classes Avro is willing to instantiate while decoding. Avro 1.12
 * trusts only its own and the JDK's classes unless told otherwise; this widens the trusted set and keeps whatever
 * policy the process already had (including the {@code org.apache.avro.SERIALIZABLE_PACKAGES} property).
 *
 * <p>Every path that builds an Avro reader of these classes calls {@link #install()} first, not only the codec: a
 * process that reads a segment file before it ever encoded or decoded a record would otherwise be refused.
 */
public final class TrustedPackages {

    private static final String GENERATED_PACKAGE = "io.polyglot.schemas.avro";

    private TrustedPackages() {}

    /**
     * Widens Avro's process-wide trusted classes to the generated classes of this module, unless they are trusted
     * already. Asks the current policy each time rather than remembering a first call, so that whoever replaces the
     * policy later does not silently undo it.
     */
    public static synchronized void install() {
        if (ClassSecurityValidator.getGlobal().isTrusted(EventEnvelope.class)) {
            return;
        }
        ClassSecurityPredicate existing = ClassSecurityValidator.getGlobal();
        ClassSecurityPredicate ours =
                type -> type.getPackage() != null && type.getPackageName().equals(GENERATED_PACKAGE);
        ClassSecurityValidator.setGlobal(type -> ours.isTrusted(type) || existing.isTrusted(type));
    }
}
