/**
 * 留观: the 30 minutes after the dose, counted down by the server's clock. Leaving early asks
 * once more, because a severe allergic reaction usually starts within these minutes.
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const vaccination = require('../../services/vaccination')

const TICK_MS = 1000

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', vaccine: '', left: 0, clock: '', mayLeave: false, message: '', leftEarly: false },
  pageLifetimes: {
    hide() {
      this.stop()
    },
    show() {
      if (this.until && !this.data.mayLeave) this.start()
    },
  },
  lifetimes: {
    detached() {
      this.stop()
    },
  },
  methods: {
    onLoad(query = {}) {
      this.recordId = query.id || query.record_id
      this.load()
    },
    async load() {
      try {
        const seen = await vaccination.observation(this.recordId)
        this.until = seen.observe_until
        this.doneMessage = seen.may_leave ? seen.message : '留观30分钟已到。孩子没有不适，就可以离开了。'
        this.waitMessage = seen.may_leave ? '' : seen.message
        this.setData({ loading: false, error: '', vaccine: `${seen.vaccine_name} 第${seen.dose}剂` })
        this.tick()
        if (!this.data.mayLeave) this.start()
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    start() {
      this.stop()
      this.timer = setInterval(() => this.tick(), TICK_MS)
    },
    stop() {
      if (this.timer) clearInterval(this.timer)
      this.timer = null
    },
    tick() {
      const left = vaccination.secondsLeft(this.until)
      const mayLeave = left === 0
      this.setData({
        left, mayLeave, clock: vaccination.countdown(left),
        message: mayLeave ? this.doneMessage : `请在接种门诊留观，还需约${Math.ceil(left / 60)}分钟。`,
      })
      if (mayLeave) {
        this.stop()
        platform.vibrate()
      }
    },
    async leave() {
      if (this.data.mayLeave) {
        platform.navigateBack()
        return
      }
      const stay = await platform.confirm({
        title: '还没到30分钟',
        content: `${this.waitMessage || this.data.message}如果孩子出现皮疹、呼吸困难、脸色发白，请马上告诉接种门诊的医生。`,
        confirmText: '继续留观',
        cancelText: '仍要离开',
      })
      if (!stay) this.setData({ leftEarly: true })
    },
  },
})
