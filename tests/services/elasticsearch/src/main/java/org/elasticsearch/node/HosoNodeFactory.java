package org.elasticsearch.node;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.HosoClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

import java.util.Collection;
import java.util.List;

/**
 * HoSo test node: builds a regular {@link Node} whose plugins are classes on the class path.
 * It lives in this package only to reach the package-private construction hooks.
 */
public final class HosoNodeFactory {

    private HosoNodeFactory() {}

    public static Node create(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        List<Class<? extends Plugin>> pluginClasses = List.copyOf(plugins);
        NodeServiceProvider provider = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, PluginsLoader loader) {
                return new HosoClasspathPluginsService(env.settings(), env, pluginClasses);
            }
        };
        PluginsLoader loader = HosoClasspathPluginsService.emptyLoader();
        return new Node(NodeConstruction.prepareConstruction(environment, loader, provider, true));
    }
}
