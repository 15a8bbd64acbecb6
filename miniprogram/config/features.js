/**
 * The home page's journeys, in the order shown. A journey appears only once the backend
 * serves it, so a hospital never sees an entry that leads nowhere. Reports, follow-up,
 * vaccination and health readings are added here as their backend issues land.
 */
module.exports = [
  { key: 'book', title: '预约挂号', subtitle: '选科室、选医生', url: '/booking/pages/departments/index' },
  { key: 'bookings', title: '我的预约', subtitle: '签到、排队、取消', url: '/booking/pages/list/index' },
  { key: 'reports', title: '我的报告', subtitle: '化验、检查，看得懂', url: '/reports/pages/list/index' },
  { key: 'vitals', title: '血压血糖', subtitle: '自己量，马上知道好不好', url: '/followup/pages/vitals/index' },
  { key: 'portrait', title: '健康画像', subtitle: '医生审核过的健康小结', url: '/followup/pages/portrait/index' },
  { key: 'vaccination', title: '宝宝疫苗', subtitle: '该打什么、预约接种', url: '/vaccination/pages/child/index' },
  { key: 'profiles', title: '就诊人', subtitle: '家人的信息', url: '/pages/profiles/index' },
  { key: 'settings', title: '设置', subtitle: '长辈模式、隐私', url: '/pages/settings/index' },
]
