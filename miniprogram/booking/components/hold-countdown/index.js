/**
 * Time left to pay for a held slot, by the server's clock (utils/clock). Fires `expire` once
 * when it runs out, so the page can stop offering payment for a slot that is gone.
 */
const clock = require('../../../utils/clock')
const format = require('../../../utils/format')

Component({
  options: { addGlobalClass: true },
  properties: {
    expiresAt: { type: String, value: '' },
  },
  data: { seconds: 0, text: '', urgent: false },
  observers: {
    expiresAt() {
      this.expired = false
      this.tick()
    },
  },
  lifetimes: {
    attached() {
      this.live = true // events reach the page only once attached
      this.timer = setInterval(() => this.tick(), 1000)
      this.tick()
    },
    detached() {
      this.live = false
      clearInterval(this.timer)
    },
  },
  methods: {
    tick() {
      if (!this.data.expiresAt) return
      const seconds = Math.max(0, Math.floor((Date.parse(this.data.expiresAt) - clock.now()) / 1000))
      this.setData({ seconds, text: format.countdown(seconds), urgent: seconds < 120 })
      if (seconds === 0 && !this.expired && this.live) {
        this.expired = true
        clearInterval(this.timer)
        this.triggerEvent('expire')
      }
    },
  },
})
