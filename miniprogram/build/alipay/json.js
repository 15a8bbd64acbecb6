/**
 * app.json and page/component json → Alipay's keys. Every key is either mapped, dropped for a
 * stated reason, or stops the build: a new WeChat setting must be decided on, not lost.
 */
const { ConversionError } = require('./axml')

// WeChat window/page key → Alipay key (value unchanged), or a function returning entries.
const WINDOW = {
  navigationBarTitleText: 'defaultTitle',
  navigationBarBackgroundColor: 'titleBarColor',
  navigationBarTextStyle: 'navigationBarFrontColor', // black | white, Alipay client 10.5.30+
  backgroundColor: 'backgroundColor',
  onReachBottomDistance: 'onReachBottomDistance',
  // Alipay pulls to refresh only when the page may bounce.
  enablePullDownRefresh: (value) => ({ pullRefresh: !!value, allowsBounceVertical: value ? 'YES' : 'NO' }),
  backgroundTextStyle: null, // no counterpart: Alipay's loading indicator follows its own theme
}

const PAGE = { ...WINDOW, usingComponents: 'usingComponents', component: 'component', styleIsolation: 'styleIsolation' }

function mapKeys(source, table, file) {
  const out = {}
  Object.keys(source).forEach((key) => {
    if (!(key in table)) throw new ConversionError(file, `"${key}" has no Alipay mapping: add it to build/alipay/json.js`)
    const target = table[key]
    if (target === null) return
    if (typeof target === 'function') Object.assign(out, target(source[key]))
    else out[target] = source[key]
  })
  return out
}

/**
 * Page or component json. Alipay lets a component's styles leak into the page by default;
 * `apply-shared` keeps them inside while app.acss still applies, which is what our components
 * ask WeChat for (addGlobalClass).
 */
function convertPage(json, file) {
  const out = mapKeys(json, PAGE, file)
  if (out.component === true && !out.styleIsolation) out.styleIsolation = 'apply-shared'
  return out
}

/**
 * app.json. `subpackages` → `subPackages` (Alipay preloads by root, so names become roots);
 * the query is handed to onLoad undecoded, as WeChat does (behavior.decodeQuery), so page
 * code decodes once on both hosts; privacy checks on, as on WeChat.
 */
function convertApp(app, file = 'app.json') {
  const roots = {}
  ;(app.subpackages || app.subPackages || []).forEach((p) => { roots[p.name || p.root] = p.root })
  const table = {
    pages: 'pages',
    window: (value) => ({ window: mapKeys(value, WINDOW, `${file} window`) }),
    subpackages: (value) => ({ subPackages: value.map((p) => ({ root: p.root, pages: p.pages })) }),
    subPackages: (value) => ({ subPackages: value.map((p) => ({ root: p.root, pages: p.pages })) }),
    preloadRule: (value) => {
      const rules = {}
      Object.keys(value).sort().forEach((pagePath) => {
        const rule = value[pagePath]
        rules[pagePath] = { ...rule, packages: (rule.packages || []).map((name) => roots[name] || name) }
      })
      return { preloadRule: rules }
    },
    usingComponents: 'usingComponents',
    lazyCodeLoading: 'lazyCodeLoading',
    __usePrivacyCheck__: (value) => ({ usePrivacyCheck: !!value }),
    style: null, // WeChat's component style version; Alipay has one style
    sitemapLocation: null, // WeChat search indexing; Alipay has no sitemap file
  }
  return { ...mapKeys(app, table, file), behavior: { decodeQuery: 'disable' } }
}

/** mini.project.json: component2 is the lifecycle model platform/alipay-runtime relies on. */
function miniProject(wechatProject) {
  return {
    format: 2,
    compileType: 'mini',
    compileOptions: { component2: true, globalObjectMode: 'enable' },
    uploadExclude: [],
    assetsInclude: [],
    developOptions: {},
    pluginResolution: {},
    scripts: {},
    description: String(wechatProject.description || '').replace(/WeChat/g, 'Alipay'),
  }
}

/** JSON text the same way every time: sorted nowhere (order is meaningful), 2-space, newline. */
function stringify(value) {
  return `${JSON.stringify(value, null, 2)}\n`
}

module.exports = { convertPage, convertApp, miniProject, stringify }
