package org.elasticsearch.plugins;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HoSo test node: a plugins service whose plugins are classes already on the JVM class path
 * (the Maven-resolved transport-netty4 module and HoSo's own shim plugins), instead of bundles
 * unpacked under {@code modules/} and {@code plugins/} as in an Elasticsearch distribution.
 *
 * <p>It lives in this package only to reach the package-private {@link LoadedPlugin} record.
 */
public final class HosoClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> classpathPlugins;

    public HosoClasspathPluginsService(Settings settings, Environment environment,
                                       Collection<Class<? extends Plugin>> pluginClasses) {
        super(settings, environment.configDir(), emptyLoader());
        List<LoadedPlugin> loaded = new ArrayList<>();
        for (Class<? extends Plugin> pluginClass : pluginClasses) {
            Plugin plugin = loadPlugin(pluginClass, settings, environment.configDir());
            PluginDescriptor descriptor = new PluginDescriptor(
                pluginClass.getSimpleName(), "class path plugin (HoSo test node)", "NA",
                org.elasticsearch.Build.current().version(), Integer.toString(Runtime.version().feature()),
                pluginClass.getName(), null, List.of(), false, false, false, false);
            loaded.add(new LoadedPlugin(descriptor, plugin, pluginClass.getClassLoader()));
        }
        this.classpathPlugins = List.copyOf(loaded);
    }

    /** A loader that found no bundles: every plugin of this node comes from the class path. */
    public static PluginsLoader emptyLoader() {
        return PluginsLoader.createPluginsLoader(Set.of(), Set.of(), Map.of(), false); // false: no server module layer (class path)
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }
}
