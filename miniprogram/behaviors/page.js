/**
 * Shared by every page: elderly-mode data (`elderly`, `rootFontSize` for page-meta) kept
 * current while the page lives, and `fail(err)` to tell the person what went wrong.
 */
const display = require('../services/display')
const errors = require('../services/errors')
const platform = require('../platform/index')

module.exports = Behavior({
  data: display.pageData(),
  lifetimes: {
    attached() {
      this.setData(display.pageData())
      this._stopDisplayWatch = display.onChange(() => this.setData(display.pageData()))
    },
    detached() {
      if (this._stopDisplayWatch) this._stopDisplayWatch()
    },
  },
  pageLifetimes: {
    show() {
      this.setData(display.pageData())
    },
  },
  methods: {
    /** Shows a failure in words; returns the message for pages that also print it inline. */
    fail(err) {
      const message = errors.messageOf(err)
      platform.toast(message)
      return message
    },
  },
})
