/** 宝宝疫苗: one child's doses — overdue and due first, then what comes next, with the rule. */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const profiles = require('../../../services/profiles')
const vaccination = require('../../services/vaccination')

Component({
  behaviors: [pageBehavior],
  data: {
    loading: true, error: '', children: [], childId: '', picking: false, view: null,
    showDone: false,
  },
  methods: {
    onLoad(query) {
      this.requested = query && (query.id || query.child_id)
    },
    onShow() {
      this.load()
    },
    async load() {
      try {
        const everyone = await profiles.list()
        const children = everyone.filter((p) => p.relationship === 'child')
        const chosen = children.find((p) => p.id === (this.data.childId || this.requested)) || children[0]
        if (!chosen) {
          this.setData({ loading: false, error: '', children, view: null })
          return
        }
        const view = vaccination.overview(await vaccination.child(chosen.id))
        this.setData({ loading: false, error: '', children, childId: chosen.id, view })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    pick() {
      this.setData({ picking: !this.data.picking })
    },
    onSelect(event) {
      this.setData({ childId: event.detail.profile.id, picking: false, loading: true })
      this.load()
    },
    toggle(event) {
      const { group, index } = event.currentTarget.dataset
      const key = `view.${group}[${index}].open`
      this.setData({ [key]: !this.data.view[group][index].open })
    },
    toggleDone() {
      this.setData({ showDone: !this.data.showDone })
    },
    book() {
      platform.navigateTo(`/vaccination/pages/book/index?child_id=${this.data.childId}`)
    },
    addChild() {
      platform.navigateTo('/pages/profile-edit/index?relationship=child')
    },
  },
})
