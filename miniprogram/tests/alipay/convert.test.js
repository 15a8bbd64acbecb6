/** build/alipay's rules, one by one: templates, json, and the refusals that stop a build. */
const { convert, ConversionError } = require('../../build/alipay/axml')
const { convertApp, convertPage } = require('../../build/alipay/json')

describe('templates', () => {
  test('directives become a: and built-in events become onTap-style bindings', () => {
    const wxml = '<view wx:for="{{list}}" wx:for-item="row" wx:for-index="i" wx:key="id" bindtap="open" data-id="{{row.id}}">'
      + '<text wx:if="{{row.a > 1}}" catchtap="stop">{{row.a}}</text><text wx:elif="{{b}}">b</text><text wx:else>c</text></view>'
      + '<input bindinput="onInput" bindconfirm="onSend" bindblur="onBlur" /><switch bind:change="toggle"></switch>'
    expect(convert(wxml)).toBe(
      '<view a:for="{{list}}" a:for-item="row" a:for-index="i" a:key="id" onTap="open" data-id="{{row.id}}">'
      + '<text a:if="{{row.a > 1}}" catchTap="stop">{{row.a}}</text><text a:elif="{{b}}">b</text><text a:else>c</text></view>'
      + '<input onInput="onInput" onConfirm="onSend" onBlur="onBlur" /><switch onChange="toggle"></switch>')
  })

  test('custom components: events become on-props, kebab-case properties camelCase', () => {
    const wxml = '<patient-picker id="picker" selected-id="{{id}}" allow-add="{{true}}" data-x-y="1" bind:select="pick" bindrow-tap="row"></patient-picker>'
    expect(convert(wxml, { components: ['patient-picker'] })).toBe(
      '<patient-picker id="picker" selectedId="{{id}}" allowAdd="{{true}}" data-x-y="1" onSelect="pick" onRowTap="row"></patient-picker>')
  })

  test('wx:for with wx:if on one element: the loop moves to a block around it', () => {
    expect(convert('<view wx:for="{{l}}" wx:key="id" wx:if="{{item.on}}" class="a">x</view><br wx:for="{{l}}" wx:if="{{item}}" />'))
      .toBe('<block a:for="{{l}}" a:key="id"><view a:if="{{item.on}}" class="a">x</view></block><block a:for="{{l}}"><br a:if="{{item}}" /></block>')
  })

  test('the privacy button keeps its open-type and its agree handler', () => {
    expect(convert('<button open-type="agreePrivacyAuthorization" bindagreeprivacyauthorization="ok" bindtap="agree">同意</button>'))
      .toBe('<button open-type="agreePrivacyAuthorization" onAgreePrivacyAuthorization="ok" onTap="agree">同意</button>')
  })

  test('a date picker becomes a view that opens my.datePicker through the runtime', () => {
    const out = convert('<picker mode="date" value="{{d}}" start="2000-01-01" end="{{today}}" bindchange="onDate" id="birth"><view>{{d}}</view></picker>')
    expect(out).toBe('<view id="birth" data-fd-handler="onDate" data-fd-mode="date" data-fd-value="{{d}}" data-fd-start="2000-01-01" data-fd-end="{{today}}" onTap="fdPickDate"><view>{{d}}</view></view>')
    expect(convert('<picker range="{{r}}" value="{{i}}" bindchange="c"><view /></picker>')).toBe('<picker range="{{r}}" value="{{i}}" onChange="c"><view /></picker>')
  })

  test('comments, text with > inside expressions and import paths survive', () => {
    expect(convert('<!-- <view bindtap="x"> --><import src="./a.wxml" /><view>{{a > b ? "x" : "y"}}</view>'))
      .toBe('<!-- <view bindtap="x"> --><import src="./a.axml" /><view>{{a > b ? "x" : "y"}}</view>')
  })

  test.each([
    ['<view bindlongclick="x"></view>', /does not know/],
    ['<wxs module="m">var a = 1</wxs>', /<wxs>/],
    ['<view wx:for-items="{{a}}"></view>', /no Alipay counterpart/],
    ['<view mut-bind:tap="x"></view>', /mut-bind/],
    ['<picker mode="region" bindchange="x"></picker>', /region/],
    ['<view><text></view>', /does not close/],
    ['<view>', /never closed/],
  ])('%s stops the build', (wxml, message) => {
    expect(() => convert(wxml, { file: 'x.wxml' })).toThrow(ConversionError)
    expect(() => convert(wxml, { file: 'x.wxml' })).toThrow(message)
  })
})

describe('json', () => {
  test('page keys map to Alipay\'s; pull-to-refresh needs the bounce', () => {
    expect(convertPage({ navigationBarTitleText: '我的预约', enablePullDownRefresh: true, usingComponents: { a: '/a' } }, 'p.json'))
      .toEqual({ defaultTitle: '我的预约', pullRefresh: true, allowsBounceVertical: 'YES', usingComponents: { a: '/a' } })
  })

  test('components keep their styles to themselves while app.acss still applies, as on WeChat', () => {
    expect(convertPage({ component: true, usingComponents: {} }, 'c.json')).toEqual({ component: true, usingComponents: {}, styleIsolation: 'apply-shared' })
  })

  test('an unknown key stops the build instead of being lost', () => {
    expect(() => convertPage({ disableScroll: true }, 'p.json')).toThrow(/disableScroll/)
    expect(() => convertApp({ pages: [], tabBar: {} })).toThrow(/tabBar/)
  })

  test('subpackages and preload rules by root; privacy check on; the query undecoded', () => {
    const app = convertApp({
      pages: ['pages/index/index'],
      subpackages: [{ root: 'booking', name: 'book', pages: ['pages/a/index'] }],
      preloadRule: { 'pages/index/index': { network: 'all', packages: ['book'] } },
      __usePrivacyCheck__: true,
      style: 'v2',
    })
    expect(app).toEqual({
      pages: ['pages/index/index'],
      subPackages: [{ root: 'booking', pages: ['pages/a/index'] }],
      preloadRule: { 'pages/index/index': { network: 'all', packages: ['booking'] } },
      usePrivacyCheck: true,
      behavior: { decodeQuery: 'disable' },
    })
  })
})
