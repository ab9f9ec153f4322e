"""``snippet.routes`` in the browser: record each page view with its route as page id.

aws-rum-web takes the page id from ``location.pathname`` in its page-view plugin (@aws-rum/web-core
PageViewPlugin: on load, on ``history.pushState``/``replaceState`` and on ``popstate``), and offers no hook
to rewrite it. So with routes the client's config sets ``disableAutoPageView`` (Orchestration then never adds
that plugin) and this code does the plugin's work with the route: at once for the page load, and after each
``pushState``/``replaceState`` and ``popstate``, it calls ``recordPageView({pageId})`` (the command queue's
``cwr('recordPageView', ...)``, queued until the client has loaded; ``AwsRum.recordPageView`` for bundlers).
As in the plugin, a view whose page id equals the current one is no new page (PageManager.recordPageView).

A client started after the page's load event (``snippet.load``) records the navigation timing as it is built
(NavigationPlugin records at once when the load event is over), before it replays the queue: that event, and
the session_start it opens, would carry no page id. So the client also gets a plugin of rumcfn's own
(``eventPluginsToLoad``, the web client's documented way to add plugins, loaded before the telemetries'
plugins) whose ``load`` records the first view at once; the same view replayed from the queue is then no new
page.
"""

from __future__ import annotations

from rumcfn.config.routes import routes_of

#: ``(function(w,f,R){...})(window, record, [[regexp, route], ...])``: ``f`` records a payload. Nothing it
#: does may break the page's navigation, so recording is wrapped in try/catch.
ROUTER = (
    "(function(w,f,R){{var h=w.history,v=function(){{try{{var p=w.location.pathname,i;"
    "for(i=0;i<R.length;i++)if(R[i][0].test(p)){{p=R[i][1];break}}f({{pageId:p}})}}catch(e){{}}}};"
    "['pushState','replaceState'].forEach(function(k){{var o=h[k];h[k]=function(){{var r=o.apply(this,arguments);"
    "v();return r}}}});w.addEventListener('popstate',v);v()}})(window,{record},{table});"
)
#: How the CDN snippet records: through the command queue of its namespace (``window.cwr``); ``{0}`` is the
#: namespace as a JavaScript string.
QUEUE = "function(p){{window[{0}]('recordPageView',p)}}"
#: The plugin that records the first queued view as the client is built (the CDN snippet: the queue is
#: ``window.AwsRumClient.q`` until the client has replayed it). A plugin needs an id, ``load``, ``enable`` and
#: ``disable`` (@aws-rum/web-core PluginManager); it must never stop the client from starting.
FIRST_VIEW = (
    "{getPluginId:function(){return'rumcfn-routes'},load:function(x){try{var q=window.AwsRumClient.q,i;"
    "for(i=0;i<q.length;i++)if(q[i].c==='recordPageView'){x.recordPageView(q[i].p);break}}catch(e){}},"
    "enable:function(){},disable:function(){}}"
)
#: How the ES module records: on the client it made (``awsRum``, undefined if it could not start).
DIRECT = "function(p){awsRum&&awsRum.recordPageView(p)}"


def table(routes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(regular expression source, route template) of each route, in order."""
    return [(route.regex, route.template) for route in routes_of(routes)]


def router(record: str, table_js: str) -> str:
    """The router as JavaScript: ``record`` a function expression taking the page-view payload, ``table_js``
    the routes as a JavaScript array of ``[RegExp, template]``."""
    return ROUTER.format(record=record, table=table_js)
