package hoso.es;

import org.elasticsearch.ElasticsearchException;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.DocWriteResponse;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.search.ClearScrollRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.SearchScrollRequest;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.common.Strings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.VersionType;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentType;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.elasticsearch.rest.RestRequest.Method.POST;

/**
 * HoSo test node: {@code _reindex}, {@code _update_by_query} and {@code _delete_by_query},
 * which Elasticsearch implements in its {@code reindex} module. Elastic does not publish that
 * module to Maven Central for 8.x, so this is a plain, synchronous scroll-and-bulk version with
 * the same request and response shapes for the common cases:
 * <ul>
 *   <li>{@code _reindex}: source.index (one or a list), source.query, source.size (batch),
 *       source._source (list of fields), dest.index, dest.op_type (index/create),
 *       dest.version_type (internal/external), dest.pipeline, max_docs, conflicts
 *       (abort/proceed); routing is kept;</li>
 *   <li>{@code _update_by_query} without a script (re-indexes each match onto itself, guarded by
 *       seq_no/primary_term) and {@code _delete_by_query}: query (body) or q (URL), max_docs,
 *       conflicts;</li>
 *   <li>URL parameters refresh, conflicts, max_docs, scroll_size, scroll; timeout, slices,
 *       requests_per_second, wait_for_active_shards are accepted and ignored.</li>
 * </ul>
 * Not supported (answered with HTTP 400): scripts, remote sources, wait_for_completion=false
 * (tasks), dest.routing other than "keep".
 *
 * <p>Responses follow Elasticsearch's BulkByScrollResponse: took, timed_out, total, created,
 * updated, deleted, batches, version_conflicts, noops, retries, failures; the HTTP status is
 * 200, or the highest status among the failures.
 */
public final class ByQueryShimPlugin extends Plugin implements ActionPlugin {

    private static final Set<String> IGNORED_PARAMS = Set.of(
        "timeout", "slices", "requests_per_second", "wait_for_active_shards", "require_alias",
        "allow_no_indices", "expand_wildcards", "ignore_unavailable", "analyzer", "analyze_wildcard",
        "default_operator", "df", "lenient", "preference", "routing", "search_timeout", "search_type",
        "stats", "terminate_after", "version", "request_cache", "pipeline", "_source", "_source_includes",
        "_source_excludes");

    @Override
    public Collection<RestHandler> getRestHandlers(Settings settings, NamedWriteableRegistry registry,
                                                   RestController controller, ClusterSettings clusterSettings,
                                                   IndexScopedSettings indexScopedSettings, SettingsFilter settingsFilter,
                                                   IndexNameExpressionResolver resolver,
                                                   Supplier<DiscoveryNodes> nodes, Predicate<NodeFeature> features) {
        return List.of(new Handler(Kind.REINDEX), new Handler(Kind.UPDATE_BY_QUERY), new Handler(Kind.DELETE_BY_QUERY));
    }

    enum Kind { REINDEX, UPDATE_BY_QUERY, DELETE_BY_QUERY }

    /** One parsed request, ready to run. */
    record Job(Kind kind, String[] sourceIndices, QueryBuilder query, List<String> sourceFields, int batch,
               long maxDocs, boolean proceedOnConflicts, String destIndex, DocWriteRequest.OpType opType,
               boolean externalVersion, String pipeline, boolean refresh, TimeValue scroll) {}

    static final class Handler extends BaseRestHandler {
        private final Kind kind;

        Handler(Kind kind) { this.kind = kind; }

        @Override
        public String getName() { return "hoso_shim_" + kind.name().toLowerCase(java.util.Locale.ROOT); }

        @Override
        public List<Route> routes() {
            return switch (kind) {
                case REINDEX -> List.of(new Route(POST, "/_reindex"));
                case UPDATE_BY_QUERY -> List.of(new Route(POST, "/{index}/_update_by_query"));
                case DELETE_BY_QUERY -> List.of(new Route(POST, "/{index}/_delete_by_query"));
            };
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
            Job job = parse(request);
            return channel -> client.threadPool().generic().execute(
                client.threadPool().getThreadContext().preserveContext(() -> run(job, client, channel)));
        }

        private Job parse(RestRequest request) throws IOException {
            for (String p : IGNORED_PARAMS) {
                request.param(p);
            }
            if (request.paramAsBoolean("wait_for_completion", true) == false) {
                throw new IllegalArgumentException(
                    "wait_for_completion=false (tasks) is not supported by the HoSo test node's by-query shim");
            }
            Map<String, Object> body = Map.of();
            if (request.hasContentOrSourceParam()) {
                try (XContentParser parser = request.contentOrSourceParamParser()) {
                    body = parser.map();
                }
            }
            if (body.containsKey("script")) {
                throw new IllegalArgumentException("scripts are not supported by the HoSo test node (no lang-painless)");
            }
            String conflicts = request.param("conflicts", (String) body.getOrDefault("conflicts", "abort"));
            if (conflicts.equals("abort") == false && conflicts.equals("proceed") == false) {
                throw new IllegalArgumentException("conflicts may only be \"proceed\" or \"abort\" but was [" + conflicts + "]");
            }
            long maxDocs = request.paramAsLong("max_docs", toLong(body.getOrDefault("max_docs", body.getOrDefault("size", -1))));
            int batch = request.paramAsInt("scroll_size", 1000);
            TimeValue scroll = request.paramAsTime("scroll", TimeValue.timeValueMinutes(5));
            boolean refresh = refreshParam(request.param("refresh"));

            String[] sourceIndices;
            Map<String, Object> queryMap;
            List<String> sourceFields = null;
            String destIndex = null;
            DocWriteRequest.OpType opType = DocWriteRequest.OpType.INDEX;
            boolean external = false;
            String pipeline = null;
            if (kind == Kind.REINDEX) {
                Map<String, Object> source = map(body.get("source"), "source");
                Map<String, Object> dest = map(body.get("dest"), "dest");
                if (source.containsKey("remote")) {
                    throw new IllegalArgumentException("reindex from remote is not supported by the HoSo test node");
                }
                Object index = source.get("index");
                if (index == null) {
                    throw new IllegalArgumentException("[source.index] is required");
                }
                sourceIndices = index instanceof List<?> list
                    ? list.stream().map(Object::toString).toArray(String[]::new)
                    : Strings.splitStringByCommaToArray(index.toString());
                @SuppressWarnings("unchecked")
                Map<String, Object> q = (Map<String, Object>) source.get("query");
                queryMap = q;
                if (source.get("size") != null) {
                    batch = (int) toLong(source.get("size"));
                }
                Object fields = source.get("_source");
                if (fields instanceof List<?> list) {
                    sourceFields = list.stream().map(Object::toString).toList();
                } else if (fields instanceof String s) {
                    sourceFields = List.of(s);
                }
                destIndex = (String) dest.get("index");
                if (destIndex == null) {
                    throw new IllegalArgumentException("[dest.index] is required");
                }
                Object op = dest.get("op_type");
                if (op != null) {
                    opType = DocWriteRequest.OpType.fromString(op.toString());
                }
                Object vt = dest.get("version_type");
                if (vt != null) {
                    switch (vt.toString()) {
                        case "internal" -> external = false;
                        case "external", "external_gt" -> external = true;
                        default -> throw new IllegalArgumentException("version_type [" + vt + "] is not supported by the HoSo test node");
                    }
                }
                Object routing = dest.get("routing");
                if (routing != null && routing.equals("keep") == false) {
                    throw new IllegalArgumentException("dest.routing other than \"keep\" is not supported by the HoSo test node");
                }
                pipeline = (String) dest.get("pipeline");
            } else {
                sourceIndices = Strings.splitStringByCommaToArray(request.param("index"));
                @SuppressWarnings("unchecked")
                Map<String, Object> q = (Map<String, Object>) body.get("query");
                queryMap = q;
            }
            QueryBuilder query;
            String q = request.param("q");
            if (queryMap != null) {
                query = parseQuery(request, queryMap);
            } else if (q != null) {
                query = QueryBuilders.queryStringQuery(q);
            } else {
                query = QueryBuilders.matchAllQuery();
            }
            return new Job(kind, sourceIndices, query, sourceFields, batch, maxDocs, conflicts.equals("proceed"),
                destIndex, opType, external, pipeline, refresh, scroll);
        }

        private static boolean refreshParam(String value) {
            return value != null && (value.isEmpty() || value.equals("true") || value.equals("wait_for"));
        }

        private static long toLong(Object value) {
            return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString());
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(Object value, String name) {
            if (value instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw new IllegalArgumentException("[" + name + "] is required and must be an object");
        }

        private static QueryBuilder parseQuery(RestRequest request, Map<String, Object> queryMap) throws IOException {
            XContentBuilder json = JsonXContent.contentBuilder().map(queryMap);
            try (XContentParser parser = XContentType.JSON.xContent()
                .createParser(request.contentParserConfig(), BytesReference.bytes(json).streamInput())) {
                return AbstractQueryBuilder.parseTopLevelQuery(parser);
            }
        }
    }

    // ---------------------------------------------------------------- running a job

    private static final class Counts {
        long total, created, updated, deleted, batches, conflicts;
        final List<BulkItemResponse.Failure> failures = new ArrayList<>();
    }

    static void run(Job job, NodeClient client, RestChannel channel) {
        long started = System.nanoTime();
        Counts counts = new Counts();
        Set<String> touched = new LinkedHashSet<>();
        String scrollId = null;
        try {
            SearchSourceBuilder source = new SearchSourceBuilder().query(job.query()).size(
                job.maxDocs() > 0 ? (int) Math.min(job.batch(), job.maxDocs()) : job.batch())
                .sort("_doc").seqNoAndPrimaryTerm(true).version(true);
            if (job.sourceFields() != null) {
                source.fetchSource(job.sourceFields().toArray(String[]::new), null);
            }
            SearchRequest search = new SearchRequest(job.sourceIndices()).source(source).scroll(job.scroll());
            SearchResponse page = client.search(search).actionGet();
            boolean first = true;
            boolean stop = false;
            long seen = 0;
            while (true) {
                try {
                    scrollId = page.getScrollId();
                    if (first) {
                        long hitsTotal = page.getHits().getTotalHits() == null ? 0 : page.getHits().getTotalHits().value;
                        counts.total = job.maxDocs() > 0 ? Math.min(job.maxDocs(), hitsTotal) : hitsTotal;
                        first = false;
                    }
                    SearchHit[] hits = page.getHits().getHits();
                    if (hits.length == 0) {
                        break;
                    }
                    BulkRequest bulk = new BulkRequest();
                    for (SearchHit hit : hits) {
                        if (job.maxDocs() > 0 && seen >= job.maxDocs()) {
                            break;
                        }
                        seen++;
                        bulk.add(write(job, hit));
                        touched.add(job.kind() == Kind.REINDEX ? job.destIndex() : hit.getIndex());
                    }
                    if (bulk.numberOfActions() > 0) {
                        counts.batches++;
                        BulkResponse result = client.bulk(bulk).actionGet();
                        for (BulkItemResponse item : result.getItems()) {
                            if (item.isFailed()) {
                                boolean conflict = item.getFailure().getStatus() == RestStatus.CONFLICT;
                                if (conflict) {
                                    counts.conflicts++;
                                }
                                if (conflict == false || job.proceedOnConflicts() == false) {
                                    counts.failures.add(item.getFailure());
                                }
                                continue;
                            }
                            DocWriteResponse response = item.getResponse();
                            switch (response.getResult()) {
                                case CREATED -> counts.created++;
                                case UPDATED -> counts.updated++;
                                case DELETED -> counts.deleted++;
                                default -> { }
                            }
                        }
                    }
                    if (counts.failures.isEmpty() == false || (job.maxDocs() > 0 && seen >= job.maxDocs())) {
                        stop = true;
                    }
                } finally {
                    page.decRef();
                }
                if (stop) {
                    break;
                }
                page = client.searchScroll(new SearchScrollRequest(scrollId).scroll(job.scroll())).actionGet();
            }
            if (job.refresh() && touched.isEmpty() == false) {
                client.admin().indices().refresh(new RefreshRequest(touched.toArray(String[]::new))).actionGet();
            }
            respond(channel, counts, (System.nanoTime() - started) / 1_000_000);
        } catch (Exception e) {
            try {
                channel.sendResponse(new RestResponse(channel, e));
            } catch (IOException inner) {
                e.addSuppressed(inner);
                channel.sendResponse(new RestResponse(RestStatus.INTERNAL_SERVER_ERROR, e.toString()));
            }
        } finally {
            if (scrollId != null) {
                ClearScrollRequest clear = new ClearScrollRequest();
                clear.addScrollId(scrollId);
                client.clearScroll(clear, org.elasticsearch.action.ActionListener.noop());
            }
        }
    }

    private static DocWriteRequest<?> write(Job job, SearchHit hit) {
        DocumentField routingField = hit.field("_routing");
        String routing = routingField == null ? null : routingField.getValue();
        switch (job.kind()) {
            case REINDEX -> {
                IndexRequest index = new IndexRequest(job.destIndex()).id(hit.getId()).source(hit.getSourceAsMap())
                    .opType(job.opType()).routing(routing);
                if (job.externalVersion()) {
                    index.version(hit.getVersion()).versionType(VersionType.EXTERNAL);
                }
                if (job.pipeline() != null) {
                    index.setPipeline(job.pipeline());
                }
                return index;
            }
            case UPDATE_BY_QUERY -> {
                return new IndexRequest(hit.getIndex()).id(hit.getId()).source(hit.getSourceAsMap()).routing(routing)
                    .setIfSeqNo(hit.getSeqNo()).setIfPrimaryTerm(hit.getPrimaryTerm());
            }
            default -> {
                return new DeleteRequest(hit.getIndex(), hit.getId()).routing(routing)
                    .setIfSeqNo(hit.getSeqNo()).setIfPrimaryTerm(hit.getPrimaryTerm());
            }
        }
    }

    private static void respond(RestChannel channel, Counts c, long tookMillis) throws IOException {
        RestStatus status = RestStatus.OK;
        for (BulkItemResponse.Failure f : c.failures) {
            if (f.getStatus().getStatus() > status.getStatus()) {
                status = f.getStatus();
            }
        }
        XContentBuilder b = channel.newBuilder();
        b.startObject();
        b.field("took", tookMillis);
        b.field("timed_out", false);
        b.field("total", c.total);
        b.field("updated", c.updated);
        b.field("created", c.created);
        b.field("deleted", c.deleted);
        b.field("batches", c.batches);
        b.field("version_conflicts", c.conflicts);
        b.field("noops", 0);
        b.startObject("retries").field("bulk", 0).field("search", 0).endObject();
        b.field("throttled_millis", 0);
        b.field("requests_per_second", -1.0);
        b.field("throttled_until_millis", 0);
        b.startArray("failures");
        for (BulkItemResponse.Failure f : c.failures) {
            b.startObject();
            b.field("index", f.getIndex());
            b.field("id", f.getId());
            b.startObject("cause");
            ElasticsearchException.generateThrowableXContent(b, ToXContent.EMPTY_PARAMS, f.getCause());
            b.endObject();
            b.field("status", f.getStatus().getStatus());
            b.endObject();
        }
        b.endArray();
        b.endObject();
        channel.sendResponse(new RestResponse(status, b));
    }
}
