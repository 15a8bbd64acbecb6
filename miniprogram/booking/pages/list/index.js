/** 我的预约: coming visits first, then the history. */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const bookings = require('../../services/bookings')

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', upcoming: [], past: [] },
  methods: {
    onShow() {
      this.load()
    },
    async onPullDownRefresh() {
      await this.load()
      platform.stopPullDownRefresh()
    },
    async load() {
      try {
        const list = (await bookings.list()).map(bookings.view)
        this.setData({
          loading: false, error: '',
          upcoming: list.filter((b) => b.active), past: list.filter((b) => !b.active),
        })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    open(event) {
      platform.navigateTo(`/booking/pages/detail/index?booking_id=${event.currentTarget.dataset.id}`)
    },
    book() {
      platform.navigateTo('/booking/pages/departments/index')
    },
  },
})
