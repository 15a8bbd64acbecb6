/** 就诊人 list: who this account books for. Identifiers arrive masked from the backend. */
const pageBehavior = require('../../behaviors/page')
const platform = require('../../platform/index')
const account = require('../../services/account')
const profiles = require('../../services/profiles')
const errors = require('../../services/errors')

Component({
  behaviors: [pageBehavior],
  data: { loading: true, rows: [], error: '', canAdd: false, max: profiles.MAX_PROFILES },
  methods: {
    onLoad() {
      this.loaded = false
    },
    onShow() {
      this.load() // also after coming back from adding or editing someone
    },
    async onPullDownRefresh() {
      await this.load()
      platform.stopPullDownRefresh()
    },
    async load() {
      try {
        const list = await profiles.list()
        this.setData({
          loading: false, error: '', rows: list.map(profiles.view),
          canAdd: list.length < profiles.MAX_PROFILES,
        })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    async add() {
      if (await account.ensureConsent('/pages/profile-edit/index', { replace: false })) {
        platform.navigateTo('/pages/profile-edit/index')
      }
    },
    edit(event) {
      platform.navigateTo(`/pages/profile-edit/index?id=${event.currentTarget.dataset.id}`)
    },
  },
})
