/**
 * Whole-project rules, checked by reading the source:
 * - every endpoint name used anywhere is declared in services/endpoints.json, and every
 *   declared endpoint is used (the Python contract test then checks the table against the
 *   backend's OpenAPI document);
 * - nothing outside platform/ calls wx.* or my.* (so an Alipay build reuses the pages);
 * - every page in app.json and every component a page uses exists with its four files.
 */
const fs = require('fs')
const path = require('path')
const { ROOT } = require('../support/render')
const endpoints = require('../../services/endpoints.json')
const app = require('../../app.json')

// Not part of the WeChat source: dependencies, tests, the Alipay converter and its output.
const SKIP = new Set(['node_modules', 'tests', 'build', 'dist'])

function files(dir, ext, out = []) {
  fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    if (SKIP.has(entry.name)) return
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) files(full, ext, out)
    else if (full.endsWith(ext)) out.push(full)
  })
  return out
}

const sources = files(ROOT, '.js').filter((f) => !f.endsWith('jest.config.js'))
const read = (file) => fs.readFileSync(file, 'utf8')

describe('endpoint table', () => {
  const used = new Map()
  // Endpoint names are "area.action"; the platform's own call('login') helpers are not endpoints.
  sources.filter((file) => !path.relative(ROOT, file).startsWith('platform')).forEach((file) => {
    // call('x.y', …), send('x.y', …) and send(alipay ? 'x.y' : 'x.z', …)
    const name = "'([a-z]+\\.[a-zA-Z]+)'"
    const pattern = new RegExp(`\\b(?:call|send|upload)\\(\\s*(?:alipay \\? )?${name}(?:\\s*:\\s*${name})?`, 'g')
    const source = read(file)
    let match = pattern.exec(source)
    while (match) {
      match.slice(1).filter(Boolean).forEach((endpoint) => used.set(endpoint, path.relative(ROOT, file)))
      match = pattern.exec(source)
    }
  })

  test('every endpoint the code calls is declared', () => {
    const undeclared = [...used.keys()].filter((name) => !endpoints[name])
    expect(undeclared).toEqual([])
  })

  test('every declared endpoint is called somewhere', () => {
    const unused = Object.keys(endpoints).filter((name) => !used.has(name))
    expect(unused).toEqual([])
  })

  test('rows are well formed', () => {
    Object.entries(endpoints).forEach(([name, spec]) => {
      expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).toContain(spec.method)
      expect(spec.path).toMatch(/^\/mp\/[\w/{}-]+$/)
      if (spec.idempotent) expect(spec.method).toBe('POST')
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/)
    })
  })
})

describe('host APIs only through platform/', () => {
  test('no wx.* or my.* outside platform/', () => {
    const offenders = sources
      .filter((file) => !path.relative(ROOT, file).startsWith('platform'))
      .filter((file) => /(^|[^\w.$])(wx|my)\.[a-zA-Z]/m.test(read(file).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')))
      .map((file) => path.relative(ROOT, file))
    expect(offenders).toEqual([])
  })

  test('no secrets in the bundle', () => {
    const bundle = sources.concat(files(ROOT, '.json')).filter((f) => !/package(-lock)?\.json$/.test(f))
    const suspicious = bundle.filter((file) => /(secret|private[_-]?key|api[_-]?key)\s*[:=]/i.test(read(file)))
    expect(suspicious.map((f) => path.relative(ROOT, f))).toEqual([])
  })
})

describe('app.json', () => {
  const pages = app.pages.concat(...app.subpackages.map((p) => p.pages.map((page) => `${p.root}/${page}`)))

  test.each(pages)('%s has its js, json, wxml and wxss', (page) => {
    ['js', 'json', 'wxml', 'wxss'].forEach((ext) => expect(fs.existsSync(path.join(ROOT, `${page}.${ext}`))).toBe(true))
  })

  test('every used component exists; subpackages use only their own or main-package components', () => {
    pages.forEach((page) => {
      const json = require(path.join(ROOT, `${page}.json`))
      const root = app.subpackages.find((p) => page.startsWith(`${p.root}/`))
      Object.values(json.usingComponents || {}).forEach((ref) => {
        const target = ref.startsWith('/') ? path.join(ROOT, ref) : path.resolve(path.dirname(path.join(ROOT, page)), ref)
        ;['js', 'json', 'wxml', 'wxss'].forEach((ext) => expect(fs.existsSync(`${target}.${ext}`)).toBe(true))
        const rel = path.relative(ROOT, target)
        const inOtherSubpackage = app.subpackages.some((p) => rel.startsWith(`${p.root}/`) && (!root || p.root !== root.root))
        expect(inOtherSubpackage).toBe(false)
      })
    })
  })

  test('pages are Component()-built, share the page behaviour and scale with page-meta', () => {
    pages.forEach((page) => {
      expect(read(path.join(ROOT, `${page}.js`))).toMatch(/behaviors: \[pageBehavior\]/)
      expect(read(path.join(ROOT, `${page}.wxml`)).trim().startsWith('<page-meta root-font-size="{{rootFontSize}}"')).toBe(true)
    })
  })
})

describe('package size', () => {
  const { packageSizes, shippedFiles } = require('../support/size')
  const LIMIT = 2 * 1024 * 1024 // WeChat refuses a package over 2 MB

  test('the main package stays well under WeChat\'s limit, and so does each subpackage', () => {
    const sizes = packageSizes()
    expect(sizes.main.bytes).toBeLessThan(LIMIT / 4)
    Object.values(sizes).forEach(({ bytes }) => expect(bytes).toBeLessThan(LIMIT / 4))
  })

  test('tests, node_modules and npm files are not shipped', () => {
    const shipped = shippedFiles().map((f) => f.rel)
    expect(shipped.filter((f) => /^(tests|node_modules)\/|^package(-lock)?\.json$|^jest\.config\.js$/.test(f))).toEqual([])
    expect(shipped).toContain('app.json')
  })
})
