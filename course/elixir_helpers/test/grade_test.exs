# Run from /work/main: elixir -pa course/elixir_helpers/ebin course/elixir_helpers/test/grade_test.exs
ExUnit.start(capture_log: true)

defmodule GradeTest.Solution do
  @moduledoc false
  def add(a, b), do: a + b
  def stub(_), do: raise("not implemented yet: replace this line with your code")
end

defmodule GradeTest do
  @moduledoc "The grading helper's behaviour: the macro end to end, then Grade.Runner and Grade.Report alone."
  use ExUnit.Case, async: false

  import ExUnit.CaptureIO
  require Grade
  alias Grade.{Report, Runner}

  # Runs `fun`, returning {value, stdout}.
  defp run_captured(fun) do
    parent = self()
    out = capture_io(fn -> send(parent, {:value, fun.()}) end)
    assert_received {:value, value}
    {value, out}
  end

  defp eval(code), do: Code.eval_string("require Grade\n" <> code) |> elem(0)

  describe "Grade.run end to end" do
    test "all tests pass: full points as a float" do
      {score, out} =
        run_captured(fn ->
          Grade.run do
            test "adds", points: 1 do
              assert GradeTest.Solution.add(1, 2) == 3
            end

            hidden_test "adds negatives", points: 2 do
              assert GradeTest.Solution.add(-1, -2) == -3
            end
          end
        end)

      assert score === 3.0
      assert out == "✓ adds  1/1\n✓ (hidden) adds negatives  2/2\nScore: 3.0 / 3.0\n"
    end

    test "some fail: partial credit and ExUnit's message for visible tests" do
      {score, out} =
        run_captured(fn ->
          Grade.run do
            test "one", points: 1 do
              assert 1 + 1 == 2
            end

            test "two", points: 2 do
              assert GradeTest.Solution.add(1, 1) == 3
            end
          end
        end)

      assert score === 1.0
      assert out =~ "✓ one  1/1\n✗ two  0/2\n    Assertion with == failed\n"
      assert out =~ "    code:  assert GradeTest.Solution.add(1, 1) == 3\n"
      assert out =~ "    left:  2\n    right: 3\n"
      assert out =~ "Score: 1.0 / 3.0\n"
    end

    test "raise, throw, exit, undefined function and timeout fail alone; later tests still run" do
      started = System.monotonic_time(:millisecond)

      {score, out} =
        run_captured(fn ->
          Grade.run do
            test "raises", points: 1 do
              raise ArgumentError, "bad"
            end

            test "throws", points: 1 do
              throw(:ball)
            end

            test "exits", points: 1 do
              exit(:kill)
            end

            test "undefined", points: 1 do
              module = Changeset
              module.cast(%{}, %{}, [])
            end

            test "sleeps forever", points: 1, timeout: 200 do
              Process.sleep(:infinity)
            end

            test "still runs", points: 1 do
              assert true
            end
          end
        end)

      assert System.monotonic_time(:millisecond) - started < 2_000
      assert score === 1.0
      assert out =~ "✗ raises  0/1\n    ** (ArgumentError) bad\n"
      assert out =~ "✗ throws  0/1\n    ** (throw) :ball\n"
      assert out =~ "✗ exits  0/1\n    ** (exit) :kill\n"
      assert out =~ "Changeset.cast/3 is not defined — did you run the solution cell above?"
      assert out =~ "✗ sleeps forever  0/1\n    timed out after 200 ms\n"
      assert out =~ "✓ still runs  1/1\n"
    end

    test "Process.exit(self(), :kill) in a body fails that test alone" do
      {score, out} =
        run_captured(fn ->
          Grade.run do
            test "kills itself", points: 1 do
              Process.exit(self(), :kill)
            end

            test "after", points: 1 do
              :ok
            end
          end
        end)

      assert score === 1.0
      assert out =~ "✗ kills itself  0/1\n    the test process was killed"
      assert Process.alive?(self())
    end

    test "hidden failures show neither code nor values" do
      secret_value = 41

      {score, out} =
        run_captured(fn ->
          Grade.run do
            hidden_test "secret", points: 1 do
              assert secret_value == 42
            end
          end
        end)

      assert score === 0.0
      assert out == "✗ (hidden) secret  0/1\n    the hidden test failed (ExUnit.AssertionError)\nScore: 0.0 / 1.0\n"
      refute out =~ "41"
      refute out =~ "42"
      refute out =~ "secret_value"
    end

    test "hidden tests keep the helpful hints for stubs and missing functions" do
      {_score, out} =
        run_captured(fn ->
          Grade.run do
            hidden_test "stub", points: 1 do
              GradeTest.Solution.stub(:hidden_arg)
            end

            hidden_test "missing", points: 1 do
              module = Changeset
              module.cast(:hidden_arg)
            end

            hidden_test "raises", points: 1 do
              raise "hidden detail"
            end
          end
        end)

      assert out =~ "the hidden test failed (RuntimeError): not implemented yet"
      assert out =~ "the hidden test failed (UndefinedFunctionError): Changeset.cast/1 is not defined"
      assert out =~ "✗ (hidden) raises  0/1\n    the hidden test failed (RuntimeError)\n"
      refute out =~ "hidden_arg"
      refute out =~ "hidden detail"
    end

    test "float points, and the score never exceeds the total" do
      {score, out} =
        run_captured(fn ->
          Grade.run do
            test "half", points: 0.5 do
              :ok
            end

            test "quarter", points: 0.25 do
              flunk("no")
            end
          end
        end)

      assert score === 0.5
      assert out =~ "✓ half  0.5/0.5\n"
      assert out =~ "Score: 0.5 / 0.75\n"
    end

    test "bodies see the caller's variables, aliases and imports" do
      base = 40
      alias GradeTest.Solution, as: S
      import GradeTest.Solution, only: [add: 2]

      {score, _out} =
        run_captured(fn ->
          Grade.run do
            test "closure", points: 1 do
              assert S.add(base, 2) == 42
              assert add(base, 1) == 41
            end
          end
        end)

      assert score === 1.0
    end

    test "ExUnit assertions are imported in bodies" do
      {score, out} =
        run_captured(fn ->
          Grade.run do
            test "assertions", points: 1 do
              refute false
              assert_raise ArithmeticError, fn -> 1 / Enum.count([]) end
              assert_in_delta 0.1 + 0.2, 0.3, 1.0e-9
              send(self(), {:hello, 1})
              assert_receive {:hello, 1}
            end
          end
        end)

      assert {score, out} == {1.0, "✓ assertions  1/1\nScore: 1.0 / 1.0\n"}
    end

    test "student output reaches the caller's group leader, in order" do
      {_score, out} =
        run_captured(fn ->
          Grade.run do
            test "prints", points: 1 do
              IO.puts("from the student")
            end
          end
        end)

      assert out == "from the student\n✓ prints  1/1\nScore: 1.0 / 1.0\n"
    end

    test "Grade.run(timeout: ms) sets the default; a test's own timeout wins" do
      {score, out} =
        run_captured(fn ->
          Grade.run timeout: 100 do
            test "slow", points: 1 do
              Process.sleep(:infinity)
            end

            test "patient", points: 1, timeout: 2_000 do
              Process.sleep(300)
            end
          end
        end)

      assert score === 1.0
      assert out =~ "timed out after 100 ms"
      assert out =~ "✓ patient  1/1"
    end

    test "processes a test linked are gone before the next test starts" do
      {score, _out} =
        run_captured(fn ->
          Grade.run do
            test "registers", points: 1 do
              {:ok, _} = Agent.start_link(fn -> 0 end, name: GradeTest.Named)
            end

            test "registers again", points: 1 do
              {:ok, _} = Agent.start_link(fn -> 0 end, name: GradeTest.Named)
            end

            test "times out holding the name", points: 1, timeout: 100 do
              {:ok, _} = Agent.start_link(fn -> 0 end, name: GradeTest.Named)
              Process.sleep(:infinity)
            end

            test "name is free again", points: 1 do
              {:ok, _} = Agent.start_link(fn -> 0 end, name: GradeTest.Named)
            end
          end
        end)

      assert score === 3.0
      refute Process.whereis(GradeTest.Named)
    end

    test "an empty block scores 0.0 of 0.0" do
      {score, out} = run_captured(fn -> Grade.run(do: nil) end)
      assert {score, out} == {0.0, "Score: 0.0 / 0.0\n"}
    end
  end

  describe "withheld_tests: what a released notebook has where the hidden tests were" do
    defp released_cell(visible_result) do
      Grade.run do
        test "visible", points: 1 do
          assert visible_result == :ok
        end

        withheld_tests points: 3
      end
    end

    test "credited while every visible test passes, and said so" do
      {score, out} = run_captured(fn -> released_cell(:ok) end)
      assert score === 4.0
      assert out =~ "… hidden tests (they run when your work is graded)  3/3"
      assert out =~ "Score: 4.0 / 4.0"
    end

    test "not credited while a visible test fails" do
      {score, out} = run_captured(fn -> released_cell(:wrong) end)
      assert score === 0.0
      assert out =~ "hidden tests (they run when your work is graded)  0/3"
      assert out =~ "counted once every visible test passes"
    end

    test "never credited when autograding" do
      System.put_env("ELIXIR_KERNEL_AUTOGRADE", "1")

      try do
        {score, out} = run_captured(fn -> released_cell(:ok) end)
        assert score === 1.0
        assert out =~ "not credited: the hidden tests were not restored for grading"
      after
        System.delete_env("ELIXIR_KERNEL_AUTOGRADE")
      end
    end

    test "needs literal points" do
      assert_raise CompileError, ~r/withheld_tests: points: must be a literal number/, fn ->
        eval(~s|n = 1\nGrade.run do\n withheld_tests points: n\nend|)
      end
    end
  end

  describe "as the kernel evaluates a cell (Code.eval_string)" do
    test "undefined functions are named and expansion prints no warnings" do
      code = """
      x = 1
      Grade.run do
        test "missing module", points: 1 do
          assert Changeset.cast(%{}, %{}, [:a]) == %{}
        end
        test "no assertion at all", points: 1 do
          :ok
        end
        hidden_test "uses x", points: 1 do
          assert x == 1
        end
      end
      """

      parent = self()

      errors =
        capture_io(:stderr, fn ->
          out = capture_io(fn -> send(parent, {:score, eval(code)}) end)
          send(parent, {:out, out})
        end)

      assert errors == ""
      assert_received {:score, 2.0}
      assert_received {:out, out}

      assert out =~
               "✗ missing module  0/1\n    ** (UndefinedFunctionError) Changeset.cast/3 is not defined — did you run the solution cell above?\n"
    end

    test "anything but test/hidden_test in the block is a compile error" do
      assert_raise CompileError, ~r/Grade.run only accepts test\/hidden_test blocks/, fn ->
        eval("Grade.run do\n IO.puts(:hi)\nend")
      end

      assert_raise CompileError, ~r/needs points: N/, fn ->
        eval(~s|Grade.run do\n test "x" do\n :ok\n end\nend|)
      end

      assert_raise CompileError, ~r/points: must be a literal number/, fn ->
        eval(~s|n = 1\nGrade.run do\n test "x", points: n do\n :ok\n end\nend|)
      end

      assert_raise CompileError, ~r/unknown option :weight/, fn ->
        eval(~s|Grade.run do\n test "x", points: 1, weight: 2 do\n :ok\n end\nend|)
      end

      assert_raise CompileError, ~r/literal string name/, fn ->
        eval(~s|name = "x"\nGrade.run do\n test name, points: 1 do\n :ok\n end\nend|)
      end

      assert_raise CompileError, ~r/needs a do \.\.\. end block/, fn -> eval("Grade.run(timeout: 5)") end
    end
  end

  describe "Grade.Runner and Grade.Report" do
    test "run_tests returns plain results; format/1 renders them" do
      specs = [
        %{name: "ok", points: 1, fun: fn -> :anything end},
        %{name: "bad", points: 2, fun: fn -> raise "boom" end},
        %{name: "late", points: 1, hidden: true, timeout: 50, fun: fn -> Process.sleep(:infinity) end}
      ]

      results = Runner.run_tests(specs)

      assert [
               %{name: "ok", points: 1.0, earned: 1.0, hidden: false, status: :passed, message: ""},
               %{name: "bad", points: 2.0, earned: 0.0, status: :failed, message: "** (RuntimeError) boom"},
               %{name: "late", earned: 0.0, hidden: true, status: :timeout, message: "timed out after 50 ms"}
             ] = results

      assert IO.iodata_to_binary(Report.format(results)) ==
               "✓ ok  1/1\n✗ bad  0/2\n    ** (RuntimeError) boom\n✗ (hidden) late  0/1\n" <>
                 "    timed out after 50 ms\nScore: 1.0 / 4.0\n"
    end

    test "score is clamped to 0..total" do
      results = [%{name: "x", points: 1.0, earned: 5.0, hidden: false, status: :passed, message: ""}]
      assert Report.score(results) == {1.0, 1.0}
      assert Report.score([%{hd(results) | earned: -3.0}]) == {0.0, 1.0}
    end

    test "visible messages are truncated to about 20 lines / 2000 characters" do
      [result] = Runner.run_tests([%{name: "long", points: 1, fun: fn -> raise Enum.join(1..200, "\n") end}])
      assert length(String.split(result.message, "\n")) <= 21
      assert result.message =~ "(truncated)"

      [result] = Runner.run_tests([%{name: "wide", points: 1, fun: fn -> raise String.duplicate("x", 10_000) end}])
      assert String.length(result.message) < 2_100
    end

    test "metadata mirrors the report, hidden messages sanitised" do
      secret = 41

      results =
        Runner.run_tests([
          %{name: "v", points: 1, fun: fn -> :ok end},
          %{name: "h", points: 0.5, hidden: true, fun: fn -> ExUnit.Assertions.assert(secret == 42) end}
        ])

      meta = Report.metadata(results)

      assert %{"score" => 1.0, "max" => 1.5, "tests" => [visible, hidden]} = meta

      assert visible == %{
               "name" => "v",
               "points" => 1.0,
               "earned" => 1.0,
               "hidden" => false,
               "status" => "passed",
               "message" => ""
             }

      assert hidden == %{
               "name" => "h",
               "points" => 0.5,
               "earned" => 0.0,
               "hidden" => true,
               "status" => "failed",
               "message" => "the hidden test failed (ExUnit.AssertionError)"
             }
    end

    test "Grade.run attaches the metadata when ElixirKernel.Display is loaded" do
      Process.register(self(), :grade_test_sink)

      Code.compile_string("""
      defmodule ElixirKernel.Display do
        def put_result_metadata(map), do: send(:grade_test_sink, {:metadata, map})
      end
      """)

      try do
        {score, _out} =
          run_captured(fn ->
            Grade.run do
              test "a", points: 2 do
                :ok
              end
            end
          end)

        assert score === 2.0

        assert_received {:metadata,
                         %{
                           "course_grade" => %{
                             "score" => 2.0,
                             "max" => 2.0,
                             "tests" => [%{"name" => "a", "status" => "passed"}]
                           }
                         }}
      after
        :code.purge(ElixirKernel.Display)
        :code.delete(ElixirKernel.Display)
        Process.unregister(:grade_test_sink)
      end
    end
  end
end
