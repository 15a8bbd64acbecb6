/**
 * The only door to the host app's APIs. Pages and services call `platform.*`, never `wx.*`
 * or `my.*`, so an Alipay build reuses every page's logic and the tests swap the host freely.
 * The adapter is chosen per call: the host object is global and tests replace it between cases.
 */
const wechat = require('./wechat')
const alipay = require('./alipay')

function adapter() {
  // `wx` exists in WeChat (and in the tests); Alipay exposes `my`.
  if (typeof wx === 'object' && wx) return wechat
  if (typeof my === 'object' && my) return alipay
  throw new Error('No mini-program host API (wx or my) is available.')
}

const platform = {}
Object.keys(wechat).forEach((name) => {
  if (typeof wechat[name] !== 'function') return
  platform[name] = (...args) => adapter()[name](...args)
})
Object.defineProperty(platform, 'name', { get: () => adapter().name, enumerable: true })

module.exports = platform
