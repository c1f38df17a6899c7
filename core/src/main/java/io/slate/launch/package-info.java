/**
 * For launchers of JVMs that use Slate: {@link io.slate.launch.JvmOptions} gives the JVM options Slate needs in the
 * forms launchers use and checks that the running JVM has them.
 */
package io.slate.launch;
