"""The test runtimes' command lines (as in /work/team/contracts.md and
tests/helpers/runtimes.bash), with the interpreter resolved to its real binary."""
import os
import shutil

from benchlib import NA


class Runtime:
    def __init__(self, name, cmd, handler, task_root, needs):
        self.name, self.cmd, self.handler, self.task_root, self.needs = \
            name, cmd, handler, task_root, needs

    def check(self):
        for path in self.needs:
            if not os.path.exists(path):
                raise NA("%s runtime: no %s yet" % (self.name, path))
        if not shutil.which(self.cmd[0]):
            raise NA("%s is not installed" % self.cmd[0])


def get(ctx, name, handler=None):
    repo, build = ctx.repo, ctx.build
    if name == "python":
        boot = os.path.join(repo, "tests/runtimes/python/bootstrap.py")
        return Runtime(name, [ctx.python, boot], handler or "echo.handler",
                       os.path.join(repo, "tests/handlers/python"), [boot])
    if name == "node":
        index = os.path.join(repo, "tests/runtimes/node/index.mjs")
        return Runtime(name, [shutil.which("node") or "node", "--expose-gc",
                              "--max-http-header-size", "81920", index],
                       handler or "echo.handler", os.path.join(repo, "tests/handlers/node"),
                       [index])
    if name == "java":
        classes = os.path.join(build, "tests/java")
        main = os.path.join(classes, "lwrap/runtime/Main.class")
        h = handler or "lwrap.handlers.Echo::handleRequest"
        return Runtime(name, [shutil.which("java") or "java", "-XX:+UseSerialGC", "-Xshare:auto",
                              "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                              "-classpath", classes, "lwrap.runtime.Main", h],
                       h, classes, [main])
    raise ValueError(name)
