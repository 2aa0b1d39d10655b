import { modelFirstDeploy } from "./engine/deployTime";
(async () => {
  // eslint-disable-next-line
  const { previewStack } = require(process.env.H ?? "/work/main/test/helpers");
  const p = await previewStack("production");
  for (const quick of [false, true]) {
    const times = quick ? Object.fromEntries(Object.entries(require("./engine/deployTime").typicalCreationTimes).filter(([k]) => k !== "aws:ecs/service:Service")) : undefined;
    const m = modelFirstDeploy(p.resources, { times: times as never });
    console.log(quick ? "services as API calls" : "services with 2 min", (m.totalSeconds/60).toFixed(2), m.ratio.toFixed(3));
  }
})();
